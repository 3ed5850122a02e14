//! Message framing over stdio: `Content-Length` headers, JSON bodies, and recovery from broken input.
//!
//! `lsp-server`'s own stdio transport stops at the first malformed message; a language server opened on
//! every keystroke must instead answer with a JSON-RPC error and keep going. The reader thread turns
//! bytes into [`Incoming`] events; the writer thread writes [`Outgoing`] messages, except the
//! diagnostics messages the sending thread can write itself at once ([`Outbox`]).

use std::io::{self, BufRead, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use crossbeam_channel::{Receiver, SendError, Sender, bounded, unbounded};
use lsp_server::Message;
use serde_json::Value;

use crate::lsp::diagnostics::Published;

/// Largest message body accepted (64 MiB): a larger `Content-Length` is answered with an error and
/// its bytes are skipped without being held in memory.
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// What the reader delivers to the main loop.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A body that is not a JSON-RPC message; `id` is the request id when it could be read.
    Malformed {
        id: Option<Value>,
        code: i32,
        message: String,
    },
    /// The input ended (or failed): the client is gone.
    Closed,
}

/// What the main loop sends.
#[derive(Debug)]
pub enum Outgoing {
    Message(Message),
    /// A raw JSON-RPC object (used for errors whose id is `null`, which `lsp_server` cannot express).
    Raw(Value),
    /// A message whose body is `head`, then the JSON array of `diagnostics`, then `tail`: a
    /// `publishDiagnostics` notification or a pull report, written from the JSON the server keeps of
    /// each diagnostic (shared with the server, never gathered into one buffer).
    Diagnostics {
        head: Vec<u8>,
        diagnostics: Arc<Published>,
        tail: &'static [u8],
        /// The document version the message is for (a publication stays valid through quiet changes,
        /// so this can be later than the version it was built for).
        version: i32,
    },
}

impl Outgoing {
    /// The message's body as written (with `jsonrpc`), in one buffer.
    pub fn body(&self) -> io::Result<Vec<u8>> {
        let mut value = match self {
            Outgoing::Message(m) => serde_json::to_value(m)?,
            Outgoing::Raw(v) => v.clone(),
            Outgoing::Diagnostics {
                head,
                diagnostics,
                tail,
                ..
            } => {
                let mut out = Vec::with_capacity(head.len() + diagnostics.array_len() + tail.len());
                out.extend_from_slice(head);
                diagnostics.write_array(&mut out)?;
                out.extend_from_slice(tail);
                return Ok(out);
            }
        };
        if let Some(obj) = value.as_object_mut() {
            obj.insert("jsonrpc".into(), Value::String("2.0".into()));
        }
        Ok(serde_json::to_vec(&value)?)
    }
}

/// Reads one message body. `Ok(None)` at the end of input.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Result<Vec<u8>, String>>> {
    let mut content_length: Option<usize> = None;
    let mut bad_header: Option<String> = None;
    let mut line = String::new();
    let mut saw_header = false;
    loop {
        line.clear();
        // Headers are ASCII; read byte lines and decode lossily so that garbage cannot stop the loop.
        let mut raw = Vec::new();
        let n = input.by_ref().take(8192).read_until(b'\n', &mut raw)?;
        if n == 0 {
            return Ok(None);
        }
        line.push_str(&String::from_utf8_lossy(&raw));
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            if saw_header {
                break;
            }
            // Blank lines between messages are tolerated.
            continue;
        }
        saw_header = true;
        // After a wrong `Content-Length` the stream is out of step: the rest of a body (which ends with no
        // newline) runs into the next header line. Resynchronise on the last `Content-Length:` of the
        // line, so that one bad length costs a message or two, not every later one.
        let header = match trimmed.to_ascii_lowercase().rfind("content-length:") {
            Some(i) if i > 0 => &trimmed[i..],
            _ => trimmed,
        };
        match header.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(v) => content_length = Some(v),
                    Err(_) => bad_header = Some(format!("invalid Content-Length: {:?}", value.trim())),
                }
            }
            Some((name, _)) if name.trim().eq_ignore_ascii_case("content-type") => {}
            Some(_) => {}
            None => bad_header = Some(format!("invalid header line: {trimmed:?}")),
        }
    }
    let Some(len) = content_length else {
        return Ok(Some(Err(
            bad_header.unwrap_or_else(|| "missing Content-Length header".to_string())
        )));
    };
    if len > MAX_MESSAGE {
        // Skip the body without keeping it.
        io::copy(&mut input.by_ref().take(len as u64), &mut io::sink())?;
        return Ok(Some(Err(format!(
            "message of {len} bytes is larger than the {MAX_MESSAGE}-byte limit"
        ))));
    }
    let mut body = vec![0; len];
    input.read_exact(&mut body)?;
    Ok(Some(Ok(body)))
}

/// Decodes a body into an event.
pub fn decode(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Incoming::Malformed {
                id: None,
                code: -32700,
                message: format!("parse error: {e}"),
            };
        }
    };
    let id = value.get("id").cloned();
    match serde_json::from_value::<Message>(value) {
        Ok(m) => Incoming::Message(m),
        Err(e) => Incoming::Malformed {
            id,
            code: -32600,
            message: format!("invalid request: {e}"),
        },
    }
}

/// Reads messages from `input` until it ends; every frame becomes one event.
pub fn read_loop(mut input: impl BufRead, out: Sender<Incoming>) {
    loop {
        let ev = match read_frame(&mut input) {
            Ok(Some(Ok(body))) => decode(&body),
            Ok(Some(Err(message))) => Incoming::Malformed {
                id: None,
                code: -32700,
                message,
            },
            Ok(None) | Err(_) => {
                let _ = out.send(Incoming::Closed);
                return;
            }
        };
        let is_exit = matches!(&ev, Incoming::Message(Message::Notification(n)) if n.method == "exit");
        if out.send(ev).is_err() || is_exit {
            return;
        }
    }
}

/// Where the server's messages go. Each goes to the writer thread, except a diagnostics message that its
/// sending thread can write at once: when the writer thread is neither writing nor has anything waiting,
/// and the editor's pipe is empty and has room for the whole message, the sending thread writes it itself. An edit's
/// diagnostics then reach the editor without a hand-off to another thread, which an editor's other
/// work on the same CPUs delays (README, "Performance"). Such a write never blocks, so the main loop
/// never waits on an editor that does not read. Messages one thread sends are written in the order it
/// sent them: a direct write waits for every message handed to the writer thread to be written.
#[derive(Clone)]
pub struct Outbox {
    queue: Sender<Outgoing>,
    direct: Option<Arc<Direct>>,
}

/// The editor's pipe, shared by the writer thread and the direct writes.
struct Direct {
    pipe: Mutex<std::fs::File>,
    /// Messages handed to the writer thread and not written yet.
    queued: AtomicUsize,
    /// The pipe's capacity in bytes.
    capacity: usize,
}

impl From<Sender<Outgoing>> for Outbox {
    /// Every message through the channel (the in-memory server of the tests).
    fn from(queue: Sender<Outgoing>) -> Outbox {
        Outbox { queue, direct: None }
    }
}

impl Outbox {
    /// Sends `m`: written by this thread when it can be at once, else handed to the writer thread.
    pub fn send(&self, m: Outgoing) -> Result<(), SendError<Outgoing>> {
        let Some(d) = &self.direct else {
            return self.queue.send(m);
        };
        // Never waits for the lock: the writer thread holds it while it writes, and may be blocked on
        // a full pipe.
        if let Some(len) = m.framed_len()
            && let Some(mut pipe) = match d.pipe.try_lock() {
                Ok(pipe) => Some(pipe),
                Err(std::sync::TryLockError::Poisoned(e)) => Some(e.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            }
            && d.queued.load(Ordering::SeqCst) == 0
            && writes_at_once(&pipe, len, d.capacity)
        {
            // An error means the editor is gone: the input's end stops the server.
            let _ = write_message(&mut *pipe, &m);
            return Ok(());
        }
        d.queued.fetch_add(1, Ordering::SeqCst);
        self.queue.send(m).inspect_err(|_| {
            d.queued.fetch_sub(1, Ordering::SeqCst);
        })
    }
}

/// Whether `len` bytes written to `pipe` cannot block: the pipe is empty and has room for all of them
/// (and a page to spare).
fn writes_at_once(pipe: &std::fs::File, len: usize, capacity: usize) -> bool {
    #[cfg(target_os = "linux")]
    {
        len + 4096 <= capacity && rustix::io::ioctl_fionread(pipe).is_ok_and(|unread| unread == 0)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (pipe, len, capacity);
        false
    }
}

impl Outgoing {
    /// The length of a diagnostics message as written, header included; `None` for other messages
    /// (their length is known only once serialized).
    fn framed_len(&self) -> Option<usize> {
        match self {
            Outgoing::Diagnostics {
                head,
                diagnostics,
                tail,
                ..
            } => {
                let len = head.len() + diagnostics.array_len() + tail.len();
                Some(len + format!("Content-Length: {len}\r\n\r\n").len())
            }
            _ => None,
        }
    }
}

/// Writes one framed message: header and body in one system call where the output allows it;
/// diagnostics from the JSON the server keeps, gathered into writes of a pipe's size.
pub fn write_message(out: &mut impl Write, msg: &Outgoing) -> io::Result<()> {
    match msg {
        Outgoing::Diagnostics {
            head,
            diagnostics,
            tail,
            version,
        } => {
            let started = crate::lsp::timings::start();
            let len = head.len() + diagnostics.array_len() + tail.len();
            // The array is written in pieces (each diagnostic's range, then its shared JSON), gathered
            // here into writes of a pipe's size.
            let mut w = io::BufWriter::with_capacity(DIAGNOSTICS_WRITE, out);
            write!(w, "Content-Length: {len}\r\n\r\n")?;
            w.write_all(head)?;
            diagnostics.write_array(&mut w)?;
            w.write_all(tail)?;
            w.flush()?;
            crate::lsp::timings::end(started, "write", || {
                let bytes = msg.framed_len().unwrap_or_default();
                // Which thread wrote it: the writer thread, or the sender itself ([`Outbox`]).
                let by = thread::current().name().unwrap_or("unnamed").to_owned();
                format!("version={version} bytes={bytes} by={by}")
            });
            Ok(())
        }
        // `lsp_server::Message` has no `jsonrpc` member; JSON-RPC 2.0 requires it on every message.
        _ => write_framed(out, &msg.body()?),
    }
}

/// The writes a diagnostics message is gathered into: the default capacity of a Linux pipe. A reader
/// is woken when a write ends, so writes of this size let the editor read one while the next is
/// written. (Vectored writes straight from the publication, without this copy, were tried on
/// 2026-11-30: edits were no faster, and the writer thread's time no lower: it is mostly the kernel's
/// copy into the pipe.)
const DIAGNOSTICS_WRITE: usize = 64 * 1024;

fn write_framed(out: &mut impl Write, body: &[u8]) -> io::Result<()> {
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    let (mut header, mut body) = (header.as_bytes(), body);
    while !header.is_empty() {
        match out.write_vectored(&[io::IoSlice::new(header), io::IoSlice::new(body)]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) if n < header.len() => header = &header[n..],
            Ok(n) => {
                body = &body[n - header.len()..];
                header = &[];
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    out.write_all(body)?;
    out.flush()
}

/// The process's standard output for the writer thread: a duplicate of its descriptor written directly
/// (`io::stdout()` is line-buffered: it searches every message for a newline and splits the header from
/// the body), or the locked `Stdout` when the descriptor cannot be duplicated.
fn raw_stdout() -> Box<dyn Write> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() {
            #[cfg(target_os = "linux")]
            widen_pipe(&fd);
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(io::stdout().lock())
}

/// The process's standard output when it is a pipe (widened, [`widen_pipe`]), for direct writes.
fn editor_pipe() -> Option<Direct> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsFd;
        let fd = io::stdout().as_fd().try_clone_to_owned().ok()?;
        let capacity = widen_pipe(&fd)?;
        Some(Direct {
            pipe: Mutex::new(std::fs::File::from(fd)),
            queued: AtomicUsize::new(0),
            capacity,
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// The capacity asked for on a pipe to the editor (Linux's limit for unprivileged processes,
/// `/proc/sys/fs/pipe-max-size`, is 1 MiB by default). A `publishDiagnostics` of a long file is hundreds
/// of kilobytes: through the default 64 KiB the writer thread and the editor take turns for each 64 KiB.
#[cfg(target_os = "linux")]
const PIPE_SIZE: usize = 1 << 20;

/// Widens `fd` to [`PIPE_SIZE`] (or 256 KiB where the limit is lower) when it is a pipe; anything else,
/// or a refusal, leaves it as it is. The capacity it has then.
#[cfg(target_os = "linux")]
fn widen_pipe(fd: impl std::os::fd::AsFd) -> Option<usize> {
    use rustix::pipe::{fcntl_getpipe_size, fcntl_setpipe_size};
    let now = fcntl_getpipe_size(&fd).ok()?;
    if now >= PIPE_SIZE {
        return Some(now);
    }
    fcntl_setpipe_size(&fd, PIPE_SIZE)
        .or_else(|_| fcntl_setpipe_size(&fd, 256 * 1024))
        .ok()
        .or(Some(now))
}

/// The stdio transport: a reader and a writer thread.
pub struct Stdio {
    pub incoming: Receiver<Incoming>,
    pub outgoing: Outbox,
    writer: thread::JoinHandle<()>,
}

impl Stdio {
    pub fn start() -> Stdio {
        let (in_tx, in_rx) = bounded::<Incoming>(64);
        let (out_tx, out_rx) = unbounded::<Outgoing>();
        thread::Builder::new()
            .name("dockward-lsp-reader".into())
            .spawn(move || read_loop(io::BufReader::new(io::stdin()), in_tx))
            .expect("spawn the reader thread");
        let direct = editor_pipe().map(Arc::new);
        let shared = direct.clone();
        let writer = thread::Builder::new()
            .name("dockward-lsp-writer".into())
            .spawn(move || match shared {
                Some(d) => {
                    for msg in out_rx {
                        let mut pipe = d.pipe.lock().unwrap_or_else(|e| e.into_inner());
                        let written = write_message(&mut *pipe, &msg);
                        d.queued.fetch_sub(1, Ordering::SeqCst);
                        if written.is_err() {
                            return;
                        }
                    }
                }
                None => {
                    let mut out = raw_stdout();
                    for msg in out_rx {
                        if write_message(&mut out, &msg).is_err() {
                            return;
                        }
                    }
                }
            })
            .expect("spawn the writer thread");
        Stdio {
            incoming: in_rx,
            outgoing: Outbox { queue: out_tx, direct },
            writer,
        }
    }

    /// Waits until every queued message is written. The reader thread may still be blocked on stdin; it
    /// ends with the process.
    pub fn finish(self) {
        drop(self.outgoing);
        let _ = self.writer.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<String> {
        let (tx, rx) = unbounded();
        read_loop(io::Cursor::new(input.to_vec()), tx);
        rx.try_iter()
            .map(|e| match e {
                Incoming::Message(m) => format!("ok {}", serde_json::to_string(&m).unwrap()),
                Incoming::Malformed { code, .. } => format!("bad {code}"),
                Incoming::Closed => "closed".into(),
            })
            .collect()
    }

    #[test]
    fn recovers_from_broken_frames() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let mut input = Vec::new();
        input.extend(b"Content-Length: 5\r\n\r\n{bad}");
        input.extend(format!("Content-Length: {}\r\n\r\n{good}", good.len()).as_bytes());
        input.extend(b"Content-Length: abc\r\n\r\n");
        input.extend(b"X-Nothing: 1\r\n\r\n");
        input.extend(
            format!(
                "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {}\r\n\r\n{good}",
                good.len()
            )
            .as_bytes(),
        );
        input.extend(b"Content-Length: 7\r\n\r\n{\"a\":1}");
        let got = frames(&input);
        assert_eq!(got[0], "bad -32700");
        assert!(got[1].starts_with("ok "));
        assert_eq!(got[2], "bad -32700");
        assert_eq!(got[3], "bad -32700");
        assert!(got[4].starts_with("ok "));
        assert_eq!(got[5], "bad -32600");
        assert_eq!(got.last().unwrap(), "closed");
    }

    #[test]
    fn every_written_message_is_json_rpc_2() {
        let msgs = [
            Outgoing::Message(Message::Response(lsp_server::Response::new_ok(
                lsp_server::RequestId::from(1),
                Value::Null,
            ))),
            Outgoing::Message(Message::Notification(lsp_server::Notification {
                method: "x".into(),
                params: Value::Null,
            })),
            Outgoing::Raw(serde_json::json!({ "id": null, "error": { "code": -32700, "message": "m" } })),
            diagnostics_message(1),
            diagnostics_message(400),
        ];
        for m in msgs {
            let mut out = Vec::new();
            write_message(&mut out, &m).unwrap();
            let text = String::from_utf8(out).unwrap();
            let (header, body) = text.split_once("\r\n\r\n").unwrap();
            assert_eq!(header, format!("Content-Length: {}", body.len()));
            let v: Value = serde_json::from_str(body).unwrap();
            assert_eq!(v["jsonrpc"], "2.0", "{body}");
            if v["method"] == "textDocument/publishDiagnostics" {
                assert_eq!(v["params"]["uri"], "file:///a \"b\"/Dockerfile");
                assert_eq!(v["params"]["version"], 3);
                let ds = v["params"]["diagnostics"].as_array().unwrap();
                let eol = ds.iter().filter(|d| d["code"] == "DW105").count();
                assert_eq!(eol, ds.len() - 1, "{body}");
                assert!(m.body().is_ok_and(|b| b == body.as_bytes()));
            }
        }
    }

    /// A `publishDiagnostics` notification written from a publication of a file of `stages` stages on
    /// an end-of-life image (a diagnostic each; 400 of them are larger than one write).
    fn diagnostics_message(stages: usize) -> Outgoing {
        use crate::lsp::diagnostics::{Published, publish_head};
        let text = "FROM golang:1.23\nRUN true\n".repeat(stages);
        let today = crate::date::Date::parse("2026-11-28").unwrap();
        let ds = crate::check::check(&crate::check::Input::new(&text, today), &Default::default());
        assert!(ds.len() >= stages, "{ds:#?}");
        let uri = "file:///a \"b\"/Dockerfile";
        let idx = crate::text::LineIndex::new(&text);
        let p = Published::build(None, ds, uri, 3, &text, &idx, crate::text::Encoding::Utf16);
        if stages > 100 {
            assert!(p.array_len() > DIAGNOSTICS_WRITE);
        }
        Outgoing::Diagnostics {
            head: publish_head(uri, 3).into_bytes(),
            diagnostics: Arc::new(p),
            tail: b"}}",
            version: 3,
        }
    }

    /// An output that takes at most `max` bytes per call, is interrupted every third call, and fails
    /// when given more slices than `writev` takes (1,024 on Linux).
    struct Trickle {
        out: Vec<u8>,
        max: usize,
        calls: usize,
    }

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.write_vectored(&[io::IoSlice::new(buf)])
        }

        fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
            assert!(bufs.len() <= 1024, "{} slices in one write", bufs.len());
            self.calls += 1;
            if self.calls.is_multiple_of(3) {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let mut n = 0;
            for b in bufs {
                let take = b.len().min(self.max - n);
                self.out.extend_from_slice(&b[..take]);
                n += take;
                if n == self.max {
                    break;
                }
            }
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A diagnostics message written in pieces is its body, whatever the output takes per call: no
    /// diagnostics, one, and more than one write's worth, through writes cut anywhere.
    #[test]
    fn diagnostics_messages_survive_short_and_interrupted_writes() {
        use crate::lsp::diagnostics::{Published, publish_head};
        let text = "FROM alpine:3.20\n";
        let idx = crate::text::LineIndex::new(text);
        let empty = Outgoing::Diagnostics {
            head: publish_head("file:///d", 1).into_bytes(),
            diagnostics: Arc::new(Published::build(
                None,
                Vec::new(),
                "file:///d",
                1,
                text,
                &idx,
                crate::text::Encoding::Utf16,
            )),
            tail: b"}}",
            version: 1,
        };
        for m in [
            empty,
            diagnostics_message(1),
            diagnostics_message(509),
            diagnostics_message(1100),
        ] {
            let body = m.body().unwrap();
            let mut want = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
            want.extend_from_slice(&body);
            for max in [1, 7, 4096, usize::MAX] {
                let mut out = Trickle {
                    out: Vec::new(),
                    max,
                    calls: 0,
                };
                write_message(&mut out, &m).unwrap();
                assert!(
                    out.out == want,
                    "max {max}: {} against {} bytes",
                    out.out.len(),
                    want.len()
                );
            }
        }
    }

    /// Standard output, when it is a pipe, is widened for large messages; a file or a terminal is left
    /// alone.
    #[cfg(target_os = "linux")]
    #[test]
    fn pipes_to_the_editor_are_widened() {
        let (_read, write) = rustix::pipe::pipe().unwrap();
        let size = widen_pipe(&write).unwrap();
        assert!(size >= 256 * 1024, "{size}");
        assert_eq!(rustix::pipe::fcntl_getpipe_size(&write).unwrap(), size);
        let file = std::fs::File::open(file!()).unwrap();
        assert_eq!(widen_pipe(&file), None);
    }

    /// An outbox whose direct writes go to a new widened pipe (its read end returned), and whose queue
    /// nothing drains (its receiver returned).
    #[cfg(target_os = "linux")]
    fn outbox_over_a_pipe() -> (Outbox, std::os::fd::OwnedFd, Receiver<Outgoing>) {
        let (read, write) = rustix::pipe::pipe().unwrap();
        let capacity = widen_pipe(&write).unwrap();
        let (tx, rx) = unbounded();
        let outbox = Outbox {
            queue: tx,
            direct: Some(Arc::new(Direct {
                pipe: Mutex::new(std::fs::File::from(write)),
                queued: AtomicUsize::new(0),
                capacity,
            })),
        };
        (outbox, read, rx)
    }

    /// The sending thread writes a diagnostics message itself only when the write cannot block (an empty
    /// pipe with room for it) and nothing handed to the writer thread is still unwritten; anything else
    /// waits in the queue behind what is already there, so one thread's messages keep their order.
    #[cfg(target_os = "linux")]
    #[test]
    fn only_messages_that_cannot_block_skip_the_writer_thread() {
        let (outbox, read, rx) = outbox_over_a_pipe();
        let d = outbox.direct.clone().unwrap();
        let unread = || rustix::io::ioctl_fionread(&read).unwrap() as usize;
        let small = || diagnostics_message(1);
        let framed = |m: &Outgoing| {
            let body = m.body().unwrap();
            format!("Content-Length: {}\r\n\r\n", body.len()).len() + body.len()
        };
        let len = framed(&small());
        assert_eq!(small().framed_len(), Some(len));

        // An empty pipe: written at once, by the sender.
        outbox.send(small()).unwrap();
        assert_eq!((unread(), rx.len()), (len, 0));
        // The editor has not read it yet: the next one waits for the writer thread, and so does every
        // message after it until the writer thread has written it, even once the pipe is empty.
        outbox.send(small()).unwrap();
        assert_eq!((unread(), rx.len(), d.queued.load(Ordering::SeqCst)), (len, 1, 1));
        let mut sink = vec![0; len];
        rustix::io::read(&read, &mut sink).unwrap();
        assert_eq!(unread(), 0);
        outbox.send(small()).unwrap();
        assert_eq!((unread(), rx.len(), d.queued.load(Ordering::SeqCst)), (0, 2, 2));
        // Other messages always go to the writer thread.
        outbox.send(Outgoing::Raw(serde_json::json!({"id": null}))).unwrap();
        assert_eq!((unread(), rx.len()), (0, 3));

        // A message larger than the pipe, even an empty one, goes to the writer thread.
        let (outbox, read, rx) = outbox_over_a_pipe();
        let capacity = outbox.direct.as_ref().unwrap().capacity;
        let mut stages = 100;
        let large = loop {
            let m = diagnostics_message(stages);
            if m.framed_len().unwrap() + 4096 > capacity {
                break m;
            }
            stages *= 2;
        };
        outbox.send(large).unwrap();
        assert_eq!((rustix::io::ioctl_fionread(&read).unwrap(), rx.len()), (0, 1));
        assert!(!writes_at_once(
            &outbox.direct.as_ref().unwrap().pipe.lock().unwrap(),
            capacity - 4096 + 1,
            capacity
        ));
        assert!(writes_at_once(
            &outbox.direct.as_ref().unwrap().pipe.lock().unwrap(),
            capacity - 4096,
            capacity
        ));
    }

    #[test]
    fn a_wrong_content_length_costs_only_the_messages_it_overlaps() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let frame = |len: usize| format!("Content-Length: {len}\r\n\r\n{good}");
        // Too short: the body is cut, its rest runs into the next header; the message after is read.
        let mut input = frame(10);
        input.push_str(&frame(good.len()));
        input.push_str(&frame(good.len()));
        let got = frames(input.as_bytes());
        assert_eq!(got[0], "bad -32700", "{got:?}");
        assert!(got[1..].iter().filter(|g| g.starts_with("ok ")).count() >= 1, "{got:?}");
        assert!(got[got.len() - 2].starts_with("ok "), "{got:?}");
        // Too long: the body swallows the start of the next message; the one after is read.
        let mut input = frame(good.len() + 30);
        input.push_str(&frame(good.len()));
        input.push_str(&frame(good.len()));
        let got = frames(input.as_bytes());
        assert_eq!(got[0], "bad -32700", "{got:?}");
        assert!(got[got.len() - 2].starts_with("ok "), "{got:?}");
        assert_eq!(got.last().unwrap(), "closed");
    }

    #[test]
    fn oversized_bodies_are_skipped() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let mut input = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE + 1).into_bytes();
        input.extend(vec![b' '; MAX_MESSAGE + 1]);
        input.extend(format!("Content-Length: {}\r\n\r\n{good}", good.len()).as_bytes());
        let got = frames(&input);
        assert_eq!(got[0], "bad -32700");
        assert!(got[1].starts_with("ok "));
    }
}
