//! The `dockward` binary: a thin entry point into `cli::run`.

use std::io::Write;

fn main() {
    let env = dockward::cli::Env::from_process();
    // stdout is not locked for the whole run: the language server writes it from its own thread.
    let stderr = std::io::stderr();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, raw_stdout());
    let mut err = stderr.lock();
    let code = dockward::cli::run(std::env::args_os().collect(), &env, &mut out, &mut err);
    let _ = out.flush();
    std::process::exit(code);
}

/// Standard output written through a duplicate of its descriptor: `io::stdout()` is line-buffered, so a
/// report of thousands of lines would be searched for newlines and written a line or 8 KiB at a time.
/// Nothing else in the process writes to stdout before `out` is flushed (the language server's writer
/// starts after it).
fn raw_stdout() -> Box<dyn Write> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(std::io::stdout())
}

/// mimalloc for the command line, the system's allocator for the language server (see [`allocator`]).
#[global_allocator]
static GLOBAL: allocator::PerProcess = allocator::PerProcess;

/// The allocator of each kind of process, chosen once before its first allocation.
///
/// - **The command line** checks many files on every core, and parsing allocates many small objects.
///   mimalloc runs it much faster than glibc's allocator: the corpus in one process took 76-85 ms
///   against 108-116 ms (915 files, 3 alternated rounds of 15 runs each), and glibc's allocator spent
///   about a third of the instructions of a 5,000-line check (callgrind: 50.2 M against 37.5 M).
/// - **The language server** keeps one tree per open document and allocates little per keystroke.
///   mimalloc keeps pages per size class and per thread. With the 5,000-line bench file open, its heap
///   held 1.5 MiB more than glibc's: anonymous RSS 6.9 against 5.4 MiB, peak RSS 10.1 against 8.8
///   MiB. An edit took as long with either (0.74-0.90 ms on 5,000 lines), and opening that file 7%
///   longer with glibc's (12.4 against 11.7 ms).
///
/// glibc calls the functions in `.init_array` with the process's arguments before the Rust runtime
/// starts, so nothing has been allocated yet when [`choose`] reads them (Rust's standard library reads
/// its own arguments the same way). A block is therefore always freed and resized by the allocator that
/// made it. Where the C library does not pass the arguments (not Linux with glibc), every process uses
/// mimalloc. This module is the crate's only `unsafe` code (`tests/tidy.rs` checks that).
#[allow(unsafe_code)]
mod allocator {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicBool, Ordering};

    use mimalloc::MiMalloc;

    /// Whether this process is a language server. Written at most once, before the first allocation.
    static SERVER: AtomicBool = AtomicBool::new(false);

    /// The global allocator: the system's in a language server, mimalloc in every other process.
    pub struct PerProcess;

    #[inline]
    fn server() -> bool {
        SERVER.load(Ordering::Relaxed)
    }

    // SAFETY: every call is passed on with its arguments to one of two allocators that keep the
    // `GlobalAlloc` contract. Which one never changes after the first allocation (see the module), so
    // a block is freed, resized and zero-allocated by the allocator that made it.
    unsafe impl GlobalAlloc for PerProcess {
        #[inline]
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's guarantees, passed on.
            unsafe {
                if server() {
                    System.alloc(layout)
                } else {
                    MiMalloc.alloc(layout)
                }
            }
        }

        #[inline]
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's guarantees, passed on.
            unsafe {
                if server() {
                    System.alloc_zeroed(layout)
                } else {
                    MiMalloc.alloc_zeroed(layout)
                }
            }
        }

        #[inline]
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: the caller's guarantees, passed on; `ptr` was made by the same allocator.
            unsafe {
                if server() {
                    System.dealloc(ptr, layout)
                } else {
                    MiMalloc.dealloc(ptr, layout)
                }
            }
        }

        #[inline]
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: the caller's guarantees, passed on; `ptr` was made by the same allocator.
            unsafe {
                if server() {
                    System.realloc(ptr, layout, new_size)
                } else {
                    MiMalloc.realloc(ptr, layout, new_size)
                }
            }
        }
    }

    /// Whether a process started with `args` (the program's name left out) is a language server: one
    /// of them is `lsp`. Only the allocator depends on this answer, and both allocators serve every
    /// command; `dockward check lsp` (a file named `lsp`) merely runs with the server's.
    #[cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]
    pub fn serves<A: AsRef<[u8]>>(args: impl IntoIterator<Item = A>) -> bool {
        args.into_iter().any(|a| a.as_ref() == b"lsp")
    }

    /// Called by glibc with the process's arguments before the Rust runtime starts.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[used]
    #[unsafe(link_section = ".init_array.00099")]
    static CHOOSE: extern "C" fn(std::ffi::c_int, *const *const std::ffi::c_char, *const *const std::ffi::c_char) =
        choose;

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    extern "C" fn choose(
        argc: std::ffi::c_int,
        argv: *const *const std::ffi::c_char,
        _env: *const *const std::ffi::c_char,
    ) {
        if argv.is_null() {
            return;
        }
        let count = usize::try_from(argc).unwrap_or(0);
        let args = (1..count).filter_map(|i| {
            // SAFETY: glibc passes `argc` entries in `argv`, each a NUL-terminated string or null.
            let arg = unsafe { *argv.add(i) };
            // SAFETY: a non-null entry is a NUL-terminated string that lives as long as the process.
            (!arg.is_null()).then(|| unsafe { std::ffi::CStr::from_ptr(arg) }.to_bytes())
        });
        if serves(args) {
            SERVER.store(true, Ordering::Relaxed);
        }
    }

    #[cfg(test)]
    mod tests {
        use super::serves;

        /// The language server's command lines choose the server's allocator; the others do not.
        #[test]
        fn the_language_server_is_known_by_its_arguments() {
            for args in [&["lsp"][..], &["lsp", "--stdio"], &["--locale", "ja", "lsp"]] {
                assert!(serves(args.iter().map(|a| a.as_bytes())), "{args:?}");
            }
            for args in [
                &[][..],
                &["check", "."],
                &["check", "--format", "json", "Dockerfile"],
                &["rule", "DW101"],
                &["LSP"],
                &["lsp-proxy"],
            ] {
                assert!(!serves(args.iter().map(|a| a.as_bytes())), "{args:?}");
            }
        }
    }
}
