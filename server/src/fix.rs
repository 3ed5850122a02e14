//! Applying fixes: non-overlapping text edits on the original text, never a re-print of the tree.

use crate::diagnostic::{Applicability, Diagnostic, FileRef, Fix, TextEdit};

/// Why edits could not be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyError {
    Overlap,
    OutOfBounds,
}

/// Applies edits (all to the same file) to `text`.
pub fn apply_edits(text: &str, edits: &[&TextEdit]) -> Result<String, ApplyError> {
    let mut sorted: Vec<&TextEdit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    for w in sorted.windows(2) {
        if w[0].range.end > w[1].range.start {
            return Err(ApplyError::Overlap);
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut pos = 0usize;
    for e in sorted {
        let (s, t) = (e.range.start as usize, e.range.end as usize);
        if t > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(t) {
            return Err(ApplyError::OutOfBounds);
        }
        out.push_str(&text[pos..s]);
        out.push_str(&e.new_text);
        pos = t;
    }
    out.push_str(&text[pos..]);
    Ok(out)
}

/// Applies one fix's edits to `file`'s text.
pub fn apply_fix(text: &str, fix: &Fix, file: &FileRef) -> Result<String, ApplyError> {
    let edits: Vec<&TextEdit> = fix.edits.iter().filter(|e| &e.file == file).collect();
    apply_edits(text, &edits)
}

/// Chooses, from `diagnostics`, the first fix of each with at least `min` applicability, skipping fixes
/// that overlap one already chosen. Returns the chosen fixes in document order.
pub fn select_fixes(diagnostics: &[Diagnostic], min: Applicability) -> Vec<&Fix> {
    let mut chosen: Vec<&Fix> = Vec::new();
    let mut taken: Vec<(FileRef, u32, u32)> = Vec::new();
    for d in diagnostics {
        let Some(fix) = d
            .fixes
            .iter()
            .find(|f| f.applicability >= min && f.applicability != Applicability::DisplayOnly && f.is_resolved())
        else {
            continue;
        };
        let overlaps = fix.edits.iter().any(|e| {
            taken
                .iter()
                .any(|(f, s, t)| *f == e.file && e.range.start < *t && *s < e.range.end.max(e.range.start + 1))
        });
        if overlaps {
            continue;
        }
        for e in &fix.edits {
            taken.push((e.file.clone(), e.range.start, e.range.end.max(e.range.start + 1)));
        }
        chosen.push(fix);
    }
    chosen
}
