//! Developer tool: parses a file N times (for callgrind).

#![allow(clippy::print_stdout, clippy::print_stderr)]
fn main() {
    let mut a = std::env::args().skip(1);
    let path = a.next().expect("file");
    let n: usize = a.next().and_then(|x| x.parse().ok()).unwrap_or(10);
    let text = std::fs::read_to_string(path).unwrap();
    for _ in 0..n {
        std::hint::black_box(dockward::syntax::parse(&text));
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
