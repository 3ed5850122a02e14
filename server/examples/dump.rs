//! Prints the syntax tree of a Dockerfile: `cargo run --example dump FILE`.

#![allow(clippy::print_stdout, clippy::print_stderr)]
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    let t = dockward::syntax::parse(&text);
    print!("{}", dockward::syntax::dump::dump(&t, &text));
}
