//! The `dockward` binary: a thin entry point into `cli::run`.

fn main() {}
