//! Process-wide memo tables for pure functions of embedded data and of short strings.
//!
//! A check runs on every keystroke, and some answers cost far more than looking them up: the nearest
//! supported tag of an image (it parses every tag the image builds), the cycles a tag names, the regexp
//! of an ignore pattern. They depend only on their arguments (the embedded data is fixed at build time),
//! so they are computed once per process and shared by every check. A memo never changes an answer
//! (guarded by `memo::tests::a_memo_returns_what_the_function_returns` and by every rule test, which
//! runs with cold and warm tables alike). Each table is bounded: it is cleared when it reaches its
//! size, so hostile input (a file with a million distinct tags) cannot grow memory without limit.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{LazyLock, Mutex};

/// Two independently seeded hashers: fingerprints are 128 bits.
static FINGERPRINT: LazyLock<[foldhash::quality::RandomState; 2]> =
    LazyLock::new(|| [Default::default(), Default::default()]);

/// A 128-bit fingerprint: `h` run with each of the two process-wide hashers.
pub(crate) fn hash128(h: impl Fn(&foldhash::quality::RandomState) -> u64) -> u128 {
    let [a, b] = &*FINGERPRINT;
    (u128::from(h(a)) << 64) | u128::from(h(b))
}

/// The fingerprint of an item's text (kept with the item, `syntax::TextHash`).
pub(crate) fn text_hash(text: &str) -> u128 {
    use std::hash::BuildHasher;
    hash128(|s| s.hash_one(text))
}

thread_local! {
    static BYPASS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with every memo table bypassed on this thread: nothing is looked up or stored, every answer is
/// computed. Tests compare such fresh checks with memoised ones.
pub fn bypassed<T>(f: impl FnOnce() -> T) -> T {
    let before = BYPASS.with(|b| b.replace(true));
    let out = f();
    BYPASS.with(|b| b.set(before));
    out
}

/// Whether memo tables are bypassed on this thread ([`bypassed`]).
pub fn is_bypassed() -> bool {
    BYPASS.with(|b| b.get())
}

/// Keys are short strings looked up on every check: foldhash (seeded per process) rather than SipHash.
type Table<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

pub struct Memo<K, V> {
    table: LazyLock<Mutex<Table<K, V>>>,
    max: usize,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    /// A table of at most `max` entries.
    pub const fn new(max: usize) -> Self {
        Memo {
            table: LazyLock::new(|| Mutex::new(Table::default())),
            max,
        }
    }

    /// The value kept for `key`, if any (none when bypassed).
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        if is_bypassed() {
            return None;
        }
        self.table.lock().ok()?.get(key).cloned()
    }

    /// Removes and returns the value kept for `key`, if any (none when bypassed): a caller that will
    /// keep an updated value does not copy the old one while the table still shares it.
    pub fn take<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        if is_bypassed() {
            return None;
        }
        self.table.lock().ok()?.remove(key)
    }

    /// Keeps `value` for `key`, replacing what was kept (nothing when bypassed).
    pub fn insert(&self, key: K, value: V) {
        if is_bypassed() {
            return;
        }
        if let Ok(mut t) = self.table.lock() {
            if t.len() >= self.max && !t.contains_key(&key) {
                t.clear();
            }
            t.insert(key, value);
        }
    }

    /// The memoised `f()` for `key`. `f` runs outside the lock (it may use other memos); a poisoned
    /// lock only means no memo.
    pub fn get_or<Q>(&self, key: &Q, f: impl FnOnce() -> V) -> V
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ToOwned<Owned = K> + ?Sized,
    {
        if is_bypassed() {
            return f();
        }
        if let Ok(t) = self.table.lock()
            && let Some(v) = t.get(key)
        {
            return v.clone();
        }
        let v = f();
        if let Ok(mut t) = self.table.lock() {
            if t.len() >= self.max {
                t.clear();
            }
            t.insert(key.to_owned(), v.clone());
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;
    use std::cell::Cell;

    #[test]
    fn a_memo_returns_what_the_function_returns() {
        static M: Memo<String, usize> = Memo::new(2);
        let calls = Cell::new(0);
        let f = |s: &str| {
            M.get_or(s, || {
                calls.set(calls.get() + 1);
                s.len()
            })
        };
        assert_eq!(f("abc"), 3);
        assert_eq!(f("abc"), 3);
        assert_eq!(calls.get(), 1, "the second call is answered from the table");
        assert_eq!(f("de"), 2);
        // Full at 2 entries: the third key clears the table, answers stay right.
        assert_eq!(f("f"), 1);
        assert_eq!(f("abc"), 3);
        assert_eq!(calls.get(), 4);
        assert_eq!(M.take("abc"), Some(3));
        assert_eq!(M.take("abc"), None, "taken values are no longer kept");
        assert_eq!(f("abc"), 3);
        assert_eq!(calls.get(), 5);
    }
}
