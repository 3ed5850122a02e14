//! The message catalog: every text shown to users is looked up here by id, in the user's language.
//!
//! Catalogs live in `server/messages/<lang>.txt` and are embedded at build time; adding a language is
//! adding a file (and a [`Locale`] variant).

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// A language dockward speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    En,
    Ja,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ja];

    /// The catalog file name of the language.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ja => "ja",
        }
    }

    /// A locale from a tag such as `ja`, `ja-JP`, `ja_JP.UTF-8` or `en-US`; unknown languages give `None`.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let lang = tag.split(['-', '_', '.', '@']).next()?.to_ascii_lowercase();
        match lang.as_str() {
            "en" | "c" | "posix" => Some(Locale::En),
            "ja" => Some(Locale::Ja),
            _ => None,
        }
    }
}

fn catalog(locale: Locale) -> &'static [(&'static str, &'static str)] {
    CATALOGS
        .iter()
        .find(|(l, _)| *l == locale.code())
        .map_or(&[], |(_, c)| c)
}

/// The template for `id` in `locale`, falling back to English.
pub fn template(locale: Locale, id: &str) -> Option<&'static str> {
    let find =
        |c: &'static [(&'static str, &'static str)]| c.binary_search_by(|(k, _)| (*k).cmp(id)).ok().map(|i| c[i].1);
    find(catalog(locale)).or_else(|| find(catalog(Locale::En)))
}

/// Whether `id` exists in the catalog.
pub fn exists(id: &str) -> bool {
    template(Locale::En, id).is_some()
}

/// Renders `id` with its `{placeholder}`s filled from `args`; a missing id renders as the id itself.
pub fn render(locale: Locale, id: &str, args: &[(&str, String)]) -> String {
    let Some(t) = template(locale, id) else {
        return id.to_string();
    };
    fill(t, args)
}

/// Fills `{name}` placeholders; unknown placeholders stay as written.
pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) if after[..j].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') && j > 0 => {
                let name = &after[..j];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[j + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders a template uses, sorted and deduplicated.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) if j > 0 && after[..j].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
                out.push(&after[..j]);
                rest = &after[j + 1..];
            }
            _ => rest = after,
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// All message ids of a locale's own catalog (no fallback).
pub fn ids(locale: Locale) -> impl Iterator<Item = &'static str> {
    catalog(locale).iter().map(|(k, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_exists_in_every_language_with_the_same_placeholders() {
        for l in Locale::ALL {
            assert!(ids(l).count() > 0, "{l:?} catalog is empty");
        }
        let en: Vec<_> = ids(Locale::En).collect();
        for l in Locale::ALL {
            let other: Vec<_> = ids(l).collect();
            assert_eq!(en, other, "{l:?} has a different set of ids than en");
            for id in &en {
                let a = placeholders(template(Locale::En, id).unwrap());
                let b = placeholders(template(l, id).unwrap());
                assert_eq!(a, b, "placeholders of {id} differ in {l:?}");
            }
        }
    }

    #[test]
    fn renders_and_falls_back() {
        let s = render(
            Locale::En,
            "unknown-instruction.help-suggest",
            &[("suggestion", "RUN".into())],
        );
        assert_eq!(s, "Did you mean `RUN`?");
        assert_eq!(render(Locale::Ja, "no.such.id", &[]), "no.such.id");
        assert_eq!(fill("a {x} {y} {", &[("x", "1".into())]), "a 1 {y} {");
        assert_eq!(Locale::from_tag("ja_JP.UTF-8"), Some(Locale::Ja));
        assert_eq!(Locale::from_tag("fr"), None);
    }
}
