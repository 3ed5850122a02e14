//! Developer tool: counts allocations and times a full parse of /tmp/gen5000.Dockerfile.
#![allow(unsafe_code)]
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
struct Counting;
static N: AtomicUsize = AtomicUsize::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        N.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        N.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(p, l, n) }
    }
}
#[global_allocator]
static A: Counting = Counting;
fn main() {
    let block = std::fs::read_to_string("/tmp/gen5000.Dockerfile").unwrap();
    let n0 = N.load(Ordering::Relaxed);
    let t = dockward::syntax::parse(&block);
    let n1 = N.load(Ordering::Relaxed);
    eprintln!("allocs per parse: {} for {} items", n1 - n0, t.items.len());
    let m = dockward::model::Model::build(&t);
    eprintln!("allocs model: {}", N.load(Ordering::Relaxed) - n1);
    drop(m);
    let t0 = std::time::Instant::now();
    let iters: u32 = std::env::var("ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    for _ in 0..iters {
        std::hint::black_box(dockward::syntax::parse(&block));
    }
    eprintln!("parse {:?}", t0.elapsed() / iters);
}
