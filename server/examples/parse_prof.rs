//! Developer tool: profiles parse, model and check on a generated Dockerfile (`cargo run --release
//! --example parse_prof -- LINES ITERS`).

#![allow(clippy::print_stdout, clippy::print_stderr)]

fn main() {
    let mut args = std::env::args().skip(1);
    let lines: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let iters: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let block =
        std::fs::read_to_string(format!("/tmp/gen{lines}.Dockerfile")).expect("generate /tmp/genN.Dockerfile first");
    let today = dockward::date::Date::new(2026, 11, 28);
    let settings = dockward::settings::Settings::default();
    let (mut parse, mut drop) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    for _ in 0..iters {
        let t0 = std::time::Instant::now();
        let tree = std::hint::black_box(dockward::syntax::parse(&block));
        parse += t0.elapsed();
        let t0 = std::time::Instant::now();
        std::mem::drop(tree);
        drop += t0.elapsed();
    }
    eprintln!("parse {:?} (then dropping the tree {:?})", parse / iters, drop / iters);
    let tree = dockward::syntax::parse(&block);
    let t0 = std::time::Instant::now();
    for _ in 0..iters {
        std::hint::black_box(dockward::model::Model::build(&tree));
    }
    eprintln!("model {:?}", t0.elapsed() / iters);
    let t0 = std::time::Instant::now();
    for _ in 0..iters {
        std::hint::black_box(dockward::check_tree(
            &tree,
            &dockward::Input::new(&block, today),
            &settings,
        ));
    }
    eprintln!("model+rules {:?}", t0.elapsed() / iters);
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
