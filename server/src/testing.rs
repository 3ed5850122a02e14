//! Helpers for the crate's unit tests.

/// One random edit of a file held as lines, each ending in a newline (the tests of what is kept between
/// checks): remove up to `remove` lines, insert up to `insert` lines of `pool`, insert a blank line (only
/// when `blank`: it moves the items after it without changing a text), or type an `x` at the end of a
/// line (a line of `pool` appended when the place is past the end).
pub(crate) fn edit_lines(
    lines: &mut Vec<String>,
    pool: &[&str],
    next: &mut impl FnMut(usize) -> usize,
    (remove, insert, blank): (usize, usize, bool),
) {
    let at = next(lines.len() + 1);
    match next(if blank { 6 } else { 4 }) {
        0 if at < lines.len() => {
            let n = (1 + next(remove)).min(lines.len() - at);
            lines.drain(at..at + n);
        }
        1 => {
            let n = 1 + next(insert);
            let new: Vec<String> = (0..n).map(|_| pool[next(pool.len())].to_string()).collect();
            lines.splice(at..at, new);
        }
        2 if blank => lines.insert(at, "\n".to_string()),
        _ if at < lines.len() => {
            let line = &mut lines[at];
            line.insert(line.len() - 1, 'x');
        }
        _ => lines.push(pool[next(pool.len())].to_string()),
    }
}

/// A deterministic source of numbers below a bound (xorshift64, fixed seed): `next(n)` is in `0..n`.
pub(crate) fn numbers_below() -> impl FnMut(usize) -> usize {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}
