//! Component stdout/stderr: every line is prefixed with the component id so
//! interleaved output of concurrent requests stays attributable.

use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

#[derive(Clone, Copy)]
pub enum Sink {
    Stdout,
    Stderr,
}

/// A WASI output stream that writes `[component] line` to the host's stream.
#[derive(Clone)]
pub struct PrefixedOutput {
    prefix: Arc<str>,
    sink: Sink,
}

impl PrefixedOutput {
    pub fn new(component: &str, sink: Sink) -> Self {
        Self {
            prefix: Arc::from(format!("[{component}] ")),
            sink,
        }
    }
}

impl IsTerminal for PrefixedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for PrefixedOutput {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(LineWriter {
            prefix: self.prefix.clone(),
            sink: self.sink,
            pending: Vec::new(),
        })
    }
}

struct LineWriter {
    prefix: Arc<str>,
    sink: Sink,
    pending: Vec<u8>,
}

impl LineWriter {
    fn emit(&self, line: &[u8]) {
        // Lock once per line so lines from concurrent requests never mix.
        let write = |w: &mut dyn Write| {
            let _ = w.write_all(self.prefix.as_bytes());
            let _ = w.write_all(line);
            let _ = w.write_all(b"\n");
        };
        match self.sink {
            Sink::Stdout => write(&mut std::io::stdout().lock()),
            Sink::Stderr => write(&mut std::io::stderr().lock()),
        }
    }

    fn flush_lines(&mut self) {
        while let Some(pos) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=pos).collect();
            self.emit(&line[..line.len() - 1]);
        }
    }
}

impl AsyncWrite for LineWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.pending.extend_from_slice(buf);
        self.flush_lines();
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.emit(&rest);
        }
        Poll::Ready(Ok(()))
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.emit(&rest);
        }
    }
}
