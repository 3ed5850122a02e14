//! Work spread over threads with the results kept in order: checking files, rendering reports.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` of every item on up to `threads` threads, the results in the order of `items`. Each thread takes
/// the next item not taken yet, so a long item does not hold back the ones after it. A panic in `f` is
/// resumed on the calling thread.
pub fn map_ordered<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items_whatever_the_threads() {
        let items: Vec<u64> = (0..1000).collect();
        for threads in [0, 1, 2, 3, 8, 5000] {
            let got = map_ordered(&items, threads, |x| {
                // Uneven work, so that threads finish out of order.
                let spin: u64 = (0..(x % 7) * 1000).map(std::hint::black_box).sum();
                std::hint::black_box(spin);
                x * 2
            });
            assert_eq!(
                got,
                items.iter().map(|x| x * 2).collect::<Vec<_>>(),
                "{threads} threads"
            );
        }
        assert!(map_ordered(&[] as &[u8], 2, |x| *x).is_empty());
    }
}
