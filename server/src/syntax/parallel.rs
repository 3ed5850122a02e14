//! Lexing a large text in pieces on several threads at once, and joining the pieces into the items one
//! lexer would have made.
//!
//! The body is cut into pieces of about [`PIECE`] bytes. This thread and the lexing workers take the
//! next piece not yet taken until none is left, so a slow or late thread simply takes fewer. Then this
//! thread joins the pieces in order. It never waits: a piece a worker is still lexing is lexed here too
//! until the worker's answer lands (a virtual machine's CPU can be taken away for milliseconds; waiting
//! for it made a parse slower than one thread alone).
//!
//! Why the result is that of one lexer: the lexer holds no state between items but the position and the
//! escape character, so lexing from any position it would reach gives the items it would give from
//! there. A piece is lexed from a line start chosen without knowing where items start (it may be inside
//! a continuation or a heredoc, and then its first items are wrong). When a piece is joined, the items
//! before it are exact and end at a position the single lexer reaches; where that position is the start
//! of the piece, or of one of its items, the rest of the piece is the single lexer's items from there.
//! Where it is neither, the text is lexed on from that position until it is. A piece that never meets
//! the exact items is dropped. Guarded by `pieces_join_into_the_items_of_one_lexer`,
//! `a_large_real_text_in_any_number_of_pieces_gives_the_items_of_one_lexer` and
//! `missing_pieces_are_lexed_by_the_joining_thread`.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};

use crate::syntax::ast::Run;
use crate::syntax::parser;

/// Bytes of text per piece, about: a piece is the unit of work a thread takes. Small enough that the
/// threads finish together, large enough that the items a piece lexes wrongly at its start (when it
/// starts inside an instruction) cost little. A text of less than two pieces is lexed on this thread
/// alone: waking a worker and copying the text for it costs more than it saves.
const PIECE: usize = 16 * 1024;

/// Threads the machine can run at once (asked once).
fn cpus() -> usize {
    static CPUS: OnceLock<usize> = OnceLock::new();
    *CPUS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Whether this process lexes every text on the thread that parses it ([`lex_on_calling_thread`]).
static CALLING_THREAD_ONLY: AtomicBool = AtomicBool::new(false);

/// From now on, this process lexes every text on the thread that parses it and starts no worker.
///
/// The language server asks for this when it starts. Its edits reparse one instruction, and only
/// opening a large document (or an edit of its directives) lexes a whole text: a worker there saves
/// about half a millisecond on a 5,000-line file. But a worker is a thread with its own allocator heap,
/// and the half of the tree it lexes stays in that heap's pages: the server's peak RSS with that file
/// open was 0.4 MiB higher with one. The command line keeps its workers (it checks many files, and a
/// large one is lexed in half the time). The items are the same either way (see the module's tests).
pub fn lex_on_calling_thread() {
    CALLING_THREAD_ONLY.store(true, Ordering::Relaxed);
}

/// The items of `text` from `start` (a line start) to the end, as [`parser::lex_items`] makes them; large
/// texts are lexed in pieces on several threads when the machine has more than one CPU (and the process
/// has not asked for [`lex_on_calling_thread`]).
pub(crate) fn lex_body(text: &str, start: usize, escape: u8) -> Run {
    let len = text.len().saturating_sub(start);
    if cpus() < 2 || len < 2 * PIECE || CALLING_THREAD_ONLY.load(Ordering::Relaxed) {
        return parser::lex_items(text, start, escape, text.len(), |_| false).0;
    }
    lex_in(text, start, escape, len / PIECE)
}

/// The pieces of one text, shared by the threads that lex them.
struct Work {
    text: Arc<str>,
    escape: u8,
    /// `pieces + 1` offsets: piece `k` is lexed from `bounds[k]` to the first item boundary at or
    /// after `bounds[k + 1]`.
    bounds: Vec<usize>,
    /// The next piece no thread has taken.
    next: AtomicUsize,
    /// Each piece's items and where its lexing stopped, once lexed (`Lexed::Lost` if its thread
    /// stopped without an answer).
    lexed: Mutex<Vec<Lexed>>,
    /// Whether each piece's answer is in `lexed`: read at every item boundary by the joining thread
    /// while it lexes a piece another thread has taken.
    landed: Vec<AtomicBool>,
}

enum Lexed {
    Pending,
    Done(Run, usize),
    Lost,
}

impl Work {
    /// Takes and lexes pieces until none is left.
    fn take_pieces(&self) {
        loop {
            let k = self.next.fetch_add(1, Ordering::Relaxed);
            if k + 1 >= self.bounds.len() {
                return;
            }
            // Answers even if lexing unwinds (the piece is then lost).
            let mut slot = Slot {
                work: self,
                k,
                result: None,
            };
            let hi = self.bounds[k + 1];
            let (items, end) = parser::lex_items(&self.text, self.bounds[k], self.escape, hi, |p| p >= hi);
            // Each item's text hash too, which the first check needs of every item: here it is made
            // on several threads, while the text is still in this CPU's cache.
            for (it, &start) in items.items.iter().zip(&items.starts) {
                it.text_hash_in(start, &self.text);
            }
            slot.result = Some((items, end));
        }
    }

    /// Piece `k`'s answer, taken: `None` while it is being lexed, `Some(None)` if it is lost (or was
    /// taken before).
    fn try_take(&self, k: usize) -> Option<Option<(Run, usize)>> {
        if !self.landed[k].load(Ordering::Acquire) {
            return None;
        }
        let Ok(mut lexed) = self.lexed.lock() else {
            return Some(None);
        };
        match std::mem::replace(&mut lexed[k], Lexed::Lost) {
            Lexed::Done(items, end) => Some(Some((items, end))),
            Lexed::Pending | Lexed::Lost => Some(None),
        }
    }
}

/// A piece being lexed; stores its answer (or that there is none) when dropped.
struct Slot<'a> {
    work: &'a Work,
    k: usize,
    result: Option<(Run, usize)>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let answer = match self.result.take() {
            Some((items, end)) => Lexed::Done(items, end),
            None => Lexed::Lost,
        };
        if let Ok(mut lexed) = self.work.lexed.lock() {
            lexed[self.k] = answer;
        }
        self.work.landed[self.k].store(true, Ordering::Release);
    }
}

/// [`lex_body`] in `pieces` pieces, with every worker there is.
pub(crate) fn lex_in(text: &str, start: usize, escape: u8, pieces: usize) -> Run {
    let bounds = split_points(text, start, pieces);
    if bounds.len() <= 2 {
        return parser::lex_items(text, start, escape, text.len(), |_| false).0;
    }
    let n = bounds.len() - 1;
    // The workers get a copy of the text: a worker outlives this call.
    let work = Arc::new(Work {
        text: Arc::from(text),
        escape,
        bounds,
        next: AtomicUsize::new(0),
        lexed: Mutex::new((0..n).map(|_| Lexed::Pending).collect()),
        landed: (0..n).map(|_| AtomicBool::new(false)).collect(),
    });
    for worker in workers() {
        if let Ok(w) = worker.lock() {
            // A worker that is gone takes no piece; the others and this thread take them all.
            let _ = w.send(work.clone());
        }
    }
    work.take_pieces();
    join_all(text, start, &work)
}

/// The items of `text` from `start`: the pieces of `work` joined in order, each piece that is not
/// answered yet lexed here until its answer lands.
fn join_all(text: &str, start: usize, work: &Work) -> Run {
    let escape = work.escape;
    let n = work.bounds.len() - 1;
    let mut items = Run::with_capacity(parser::items_in(text.len() - start));
    let mut pos = start;
    for k in 0..n {
        let (lo, hi) = (work.bounds[k], work.bounds[k + 1]);
        let mut lost = false;
        while pos < hi {
            if !lost {
                match work.try_take(k) {
                    Some(Some((piece, end))) => {
                        pos = join(text, escape, pos, &mut items, lo, piece, end);
                        continue;
                    }
                    Some(None) => lost = true,
                    None => {}
                }
            }
            // The piece is still being lexed by a worker, or lost: lex it here rather than wait (a
            // worker's CPU can be taken away for milliseconds), until the worker's answer lands. Then
            // the rest of the piece is the worker's, from the first item where the two meet.
            let (more, at) = parser::lex_items(text, pos, escape, hi, |p| {
                p >= hi || (!lost && work.landed[k].load(Ordering::Acquire))
            });
            items.append_from(more, 0);
            pos = at;
        }
    }
    items
}

/// The lexing threads, started at the first large parse: one per CPU but this one. A worker lives as
/// long as the process, so that the memory it lexes into stays its own and is reused from parse to
/// parse (a thread started for each parse paid for fresh pages and a new heap every time).
fn workers() -> &'static [Mutex<mpsc::Sender<Arc<Work>>>] {
    static WORKERS: OnceLock<Vec<Mutex<mpsc::Sender<Arc<Work>>>>> = OnceLock::new();
    WORKERS.get_or_init(|| {
        (1..cpus())
            .map_while(|i| {
                let (send, jobs) = mpsc::channel::<Arc<Work>>();
                std::thread::Builder::new()
                    .name(format!("dockward-lex-{i}"))
                    .spawn(move || {
                        for work in jobs {
                            work.take_pieces();
                        }
                    })
                    .ok()
                    .map(|_| Mutex::new(send))
            })
            .collect()
    })
}

/// Joins a piece (items lexed from `lo`, stopped at `end`) onto the exact `items`, which end at `pos`.
/// Returns where the exact items end now.
fn join(text: &str, escape: u8, mut pos: usize, items: &mut Run, lo: usize, piece: Run, end: usize) -> usize {
    let meets = |pos: usize, starts: &[u32]| {
        if pos == lo {
            return Some(0);
        }
        let k = starts.partition_point(|&s| (s as usize) < pos);
        (k < starts.len() && starts[k] as usize == pos).then_some(k)
    };
    while pos < end {
        if let Some(k) = meets(pos, &piece.starts) {
            items.append_from(piece, k);
            return end;
        }
        let (more, at) = parser::lex_items(text, pos, escape, end, |p| {
            p >= end || meets(p, &piece.starts).is_some()
        });
        items.append_from(more, 0);
        pos = at;
    }
    pos
}

/// `pieces + 1` increasing offsets from `start` to the end of `text`, each inner one a line start
/// (preferably one that begins a word at its first byte, where instructions start); fewer when the text
/// has too few lines.
fn split_points(text: &str, start: usize, pieces: usize) -> Vec<usize> {
    let mut bounds = vec![start];
    let len = text.len();
    for k in 1..pieces {
        let target = start + (len - start) * k / pieces;
        let Some(at) = line_start_after(text, target.max(*bounds.last().unwrap_or(&start))) else {
            break;
        };
        if at >= len || at <= *bounds.last().unwrap_or(&start) {
            break;
        }
        bounds.push(at);
    }
    bounds.push(len);
    bounds
}

/// The first line start after `from` whose line begins with a letter and follows a line that does
/// not end in a backslash or backtick (within a few lines; else the first line start after `from`).
fn line_start_after(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let first = from + memchr::memchr(b'\n', b.get(from..)?)? + 1;
    let mut at = first;
    for _ in 0..16 {
        if at >= b.len() {
            break;
        }
        let prev = b[..at - 1].strip_suffix(b"\r").unwrap_or(&b[..at - 1]);
        let continued = matches!(prev.last(), Some(b'\\' | b'`'));
        if b[at].is_ascii_alphabetic() && !continued {
            return Some(at);
        }
        at += memchr::memchr(b'\n', &b[at..]).map_or(b.len() - at, |i| i + 1);
    }
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn sequential(text: &str) -> Run {
        let tree = parse(text);
        parser::lex_items(text, tree.body_start as usize, tree.escape as u8, text.len(), |_| false).0
    }

    /// Every split of a text into 2 to 5 pieces, at chosen and at arbitrary line starts, gives the items
    /// of one lexer: texts with continuations, heredocs (pieces starting inside their bodies), comments,
    /// blank lines and a backtick escape.
    #[test]
    fn pieces_join_into_the_items_of_one_lexer() {
        let texts = [
            "FROM a\nRUN x \\\n  y \\\n\n  # c\n  z\nCOPY <<EOF /x\nline\nRUN not an instruction\nEOF\nUSER u\n\n\nENV a=b\n",
            "# escape=`\nFROM a\nRUN x `\n  y\nRUN <<A <<B\na\nA\nb\nB\nCMD [\"x\"]\n",
            "FROM a\nRUN <<EOF\nunterminated\nRUN b\nRUN c\n",
            "\u{feff}FROM a\r\nRUN a \\\r\n b\r\nUSER x\r\n",
        ];
        for text in texts {
            let tree = parse(text);
            let start = tree.body_start as usize;
            let want = sequential(text);
            for pieces in 2..=5 {
                assert_eq!(
                    lex_in(text, start, tree.escape as u8, pieces),
                    want,
                    "{pieces} pieces: {text:?}"
                );
            }
            // Every line start as the one split point, whatever it starts.
            let escape = tree.escape as u8;
            for (i, _) in text.match_indices('\n') {
                let lo = i + 1;
                if lo <= start || lo >= text.len() {
                    continue;
                }
                let (mut items, pos) = parser::lex_items(text, start, escape, lo, |p| p >= lo);
                let (piece, end) = parser::lex_items(text, lo, escape, text.len(), |_| false);
                let pos = join(text, escape, pos, &mut items, lo, piece, end);
                assert_eq!(pos, text.len());
                assert_eq!(items, want, "split at {lo}: {text:?}");
            }
        }
    }

    /// All corpus files as one text (about 2 MB), lexed in 2 to 600 pieces: each way gives the items of
    /// one lexer. Pieces start anywhere: inside continuations, heredocs, comments and JSON arrays.
    #[test]
    fn a_large_real_text_in_any_number_of_pieces_gives_the_items_of_one_lexer() {
        let mut files = Vec::new();
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus")];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.file_name().is_some_and(|n| n.to_string_lossy().contains("ockerfile")) {
                    files.push(p);
                }
            }
        }
        files.sort();
        assert!(files.len() > 900, "the corpus is in fixtures/corpus");
        let text: String = files
            .iter()
            .map(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap_or_default()).into_owned() + "\n")
            .collect();
        let want = sequential(&text);
        let tree = parse(&text);
        assert!(
            tree.items == want.items && tree.starts == want.starts,
            "parse() lexes in pieces and joins them"
        );
        for pieces in [2, 3, 7, 64, 600] {
            let got = lex_in(&text, tree.body_start as usize, tree.escape as u8, pieces);
            assert!(got == want, "{pieces} pieces");
        }
    }

    /// Pieces answered, lost, or still being lexed (never answered) when joined: the joining thread
    /// lexes what is missing, and the items are those of one lexer.
    #[test]
    fn missing_pieces_are_lexed_by_the_joining_thread() {
        let text = "FROM a\nRUN x \\\n  y\nCOPY <<EOF /x\nRUN in a heredoc\nEOF\n".repeat(40);
        let want = sequential(&text);
        for pieces in [2, 5, 17] {
            for pattern in 0..3 {
                let bounds = split_points(&text, 0, pieces);
                let n = bounds.len() - 1;
                let work = Work {
                    text: Arc::from(text.as_str()),
                    escape: b'\\',
                    next: AtomicUsize::new(n),
                    lexed: Mutex::new((0..n).map(|_| Lexed::Pending).collect()),
                    landed: (0..n).map(|_| AtomicBool::new(false)).collect(),
                    bounds,
                };
                for k in 0..n {
                    // 0: every other piece answered, the rest pending; 1: every third lost; 2: none.
                    let answered = match pattern {
                        0 => k % 2 == 0,
                        1 => k % 3 != 0,
                        _ => false,
                    };
                    if answered {
                        let hi = work.bounds[k + 1];
                        let lexed = parser::lex_items(&text, work.bounds[k], b'\\', hi, |p| p >= hi);
                        work.lexed.lock().unwrap()[k] = Lexed::Done(lexed.0, lexed.1);
                        work.landed[k].store(true, Ordering::Release);
                    } else if pattern == 1 {
                        work.landed[k].store(true, Ordering::Release);
                    }
                }
                assert!(join_all(&text, 0, &work) == want, "{pieces} pieces, pattern {pattern}");
            }
        }
    }

    #[test]
    fn split_points_are_increasing_line_starts() {
        let text = "FROM a\n".repeat(100);
        let b = split_points(&text, 0, 4);
        assert_eq!(b.len(), 5);
        assert!(b.windows(2).all(|w| w[0] < w[1]));
        assert!(b[1..4].iter().all(|&p| text.as_bytes()[p - 1] == b'\n'));
        // A text of one line has no inner split point.
        assert_eq!(split_points("FROM a", 0, 4), vec![0, 6]);
    }
}
