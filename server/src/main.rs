//! The `dockward` binary: a thin entry point into `cli::run`.

use std::io::Write;

fn main() {
    let env = dockward::cli::Env::from_process();
    // stdout is not locked for the whole run: the language server writes it from its own thread.
    let stderr = std::io::stderr();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let mut err = stderr.lock();
    let code = dockward::cli::run(std::env::args_os().collect(), &env, &mut out, &mut err);
    let _ = out.flush();
    std::process::exit(code);
}
