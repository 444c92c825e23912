//! Running a Spin app the way a user runs `spin up`: the real `mdm-host`
//! binary as a child process, `--listen 127.0.0.1:0`, the address read from
//! its `Serving http://...` line, and a raw HTTP/1.1 client that sees every
//! byte of the answer (so header sets can be compared exactly).

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex, OnceLock};

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}

/// The `mdm-host` binary cargo built for this test (with the same features,
/// so no second build of the host).
pub fn host_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mdm-host"))
}

/// Runs `mdm-host build -f <manifest>` (Spin's `spin build`): every
/// component's `[component.*.build]` command, once per manifest per process.
pub fn build_app(manifest: &Path) {
    static BUILT: OnceLock<Mutex<Vec<PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(Vec::new()));
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if built.iter().any(|b| b == manifest) {
        return;
    }
    let status = Command::new(host_binary())
        .args(["build", "-f"])
        .arg(manifest)
        .status()
        .expect("mdm-host runs");
    assert!(
        status.success(),
        "mdm-host build -f {} failed",
        manifest.display()
    );
    built.push(manifest.to_path_buf());
}

/// A running `mdm-host up`.
pub struct SpinApp {
    child: Child,
    /// `127.0.0.1:<port>` from the `Serving` line.
    pub authority: String,
    /// The lines after `Available Routes:`, as printed.
    pub routes: Vec<String>,
    stderr: Arc<Mutex<String>>,
    _state: tempfile::TempDir,
}

/// How a start-up ended when it did not serve.
#[derive(Debug)]
pub struct FailedStart {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl SpinApp {
    /// `mdm-host up -f <manifest> --listen 127.0.0.1:0 <args>` with `env`
    /// added to the environment; waits for the route listing.
    pub fn start(manifest: &Path, args: &[&str], env: &[(&str, &str)]) -> SpinApp {
        match Self::try_start(manifest, args, env) {
            Ok(app) => app,
            Err(failed) => panic!(
                "mdm-host up -f {} did not start ({}):\n{}\n{}",
                manifest.display(),
                failed.status,
                failed.stdout,
                failed.stderr
            ),
        }
    }

    pub fn try_start(
        manifest: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<SpinApp, FailedStart> {
        let state = tempfile::tempdir().expect("a temporary directory");
        let mut child = Command::new(host_binary())
            .args(["up", "-f"])
            .arg(manifest)
            .args(["--listen", "127.0.0.1:0", "--state-dir"])
            .arg(state.path())
            .args(args)
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mdm-host starts");

        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().expect("piped stderr");
        let sink = stderr.clone();
        let err_reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let lines = stdout_lines(child.stdout.take().expect("piped stdout"));

        let mut printed = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        let authority = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("Serving http://") {
                        break url.to_string();
                    }
                    printed.push(line);
                }
                Err(_) => {
                    let status = wait_with_deadline(&mut child, Duration::from_secs(10));
                    // The process is gone: its stderr ends, so the reader
                    // finishes and holds everything it printed.
                    let _ = err_reader.join();
                    let stderr = stderr.lock().unwrap_or_else(|e| e.into_inner()).clone();
                    return Err(FailedStart {
                        status,
                        stdout: printed.join("\n"),
                        stderr,
                    });
                }
            }
        };
        // The listing follows at once; it ends when nothing more is printed.
        let mut routes = Vec::new();
        let mut in_listing = false;
        loop {
            match lines.recv_timeout(Duration::from_millis(500)) {
                Ok(line) if line == "Available Routes:" => in_listing = true,
                Ok(line) if in_listing => routes.push(line),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
        Ok(SpinApp {
            child,
            authority,
            routes,
            stderr,
            _state: state,
        })
    }

    /// What the host printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Sends `signal` (e.g. `TERM`, `INT`) to the host process.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Waits up to `limit` for the host to exit; its status, or `None` if
    /// it was still running (then it is killed).
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        None
    }

    /// One request over a fresh connection, answered in full.
    pub async fn exchange(&self, request: &RawRequest) -> RawResponse {
        exchange(&self.authority, request).await
    }
}

impl Drop for SpinApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn stdout_lines(stdout: std::process::ChildStdout) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_with_deadline(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            return child.wait().expect("the child is reaped");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A request as written on the wire: method, request target, headers (a
/// `host` naming the server and `connection: close` are added), body.
#[derive(Debug, Clone, Default)]
pub struct RawRequest {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// An answer as it came off the wire.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    /// Header fields in the order sent, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
    /// The client's own address (what the host reports as the peer).
    pub client_addr: String,
}

impl RawResponse {
    /// The values of header `name`.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub async fn exchange(authority: &str, request: &RawRequest) -> RawResponse {
    let mut socket = tokio::net::TcpStream::connect(authority)
        .await
        .unwrap_or_else(|e| panic!("connecting to {authority}: {e}"));
    let client_addr = socket.local_addr().expect("a local address").to_string();
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.target);
    if !request
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("host"))
    {
        head.push_str(&format!("host: {authority}\r\n"));
    }
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !request.body.is_empty() {
        head.push_str(&format!("content-length: {}\r\n", request.body.len()));
    }
    head.push_str("connection: close\r\n\r\n");
    socket
        .write_all(head.as_bytes())
        .await
        .expect("request sent");
    socket.write_all(&request.body).await.expect("body sent");
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), socket.read_to_end(&mut raw))
        .await
        .expect("the answer within 60 s")
        .expect("the answer is read");
    parse_response(&raw, client_addr)
}

fn parse_response(raw: &[u8], client_addr: String) -> RawResponse {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of head in {:?}", String::from_utf8_lossy(raw)));
    let head = std::str::from_utf8(&raw[..split]).expect("an ASCII head");
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("a status line");
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').expect("a header field");
            (n.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    RawResponse {
        status,
        headers,
        body,
        client_addr,
    }
}

fn dechunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = bytes
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size_text = std::str::from_utf8(&bytes[..line_end]).expect("ASCII chunk size");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or_else(|_| panic!("bad chunk size {size_text:?}"));
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&bytes[..size]);
        bytes = &bytes[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_reassembled() {
        let raw = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nX-A: 1\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        let r = parse_response(raw, "c".into());
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), "abcde");
        assert_eq!(r.values("x-a"), ["1"]);
    }
}
