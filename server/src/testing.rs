//! Helpers for the crate's unit tests.

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
