//! Runs the real `mdm-producer` binary against a stand-in server that
//! records every request and answers from a script, one canned answer per
//! request in order. A request beyond the script gets a 500, so an extra
//! request shows up as a failure as well as in the recorded list.

use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "producer-token-123";
const HSA_ID: &str = "SE2321000016-A1B2";

#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    /// Path and query.
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Canned {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn answer(status: u16, headers: &[(&'static str, &str)], body: Value) -> Canned {
    Canned {
        status,
        headers: headers.iter().map(|(n, v)| (*n, v.to_string())).collect(),
        body: body.to_string(),
    }
}

fn problem(status: u16, title: &str, detail: &str) -> Canned {
    let mut canned = answer(
        status,
        &[],
        json!({"type": "urn:mdm:problem:test", "title": title, "status": status, "detail": detail}),
    );
    canned
        .headers
        .push(("content-type", "application/problem+json".into()));
    canned
}

type Log = Arc<Mutex<Vec<Recorded>>>;

/// Starts the stand-in; returns its base address and the request log.
async fn serve(script: Vec<Canned>) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log: Log = Arc::default();
    let script = Arc::new(script);
    let recorder = log.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let log = recorder.clone();
            let script = script.clone();
            tokio::spawn(async move {
                let _ = exchange(stream, &log, &script).await;
            });
        }
    });
    (base, log)
}

/// Reads one request, records it and answers it; every answer closes the
/// connection, so each request arrives on a connection of its own.
async fn exchange(mut stream: TcpStream, log: &Log, script: &[Canned]) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let mut chunk = [0; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let target = request_line.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let mut chunk = [0; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let index = {
        let mut log = log.lock().unwrap();
        log.push(Recorded {
            method,
            target,
            headers,
            body,
        });
        log.len() - 1
    };
    let fallback = answer(500, &[], json!({"title": "no canned answer left"}));
    let canned = script.get(index).unwrap_or(&fallback);
    let mut response = format!(
        "HTTP/1.1 {} Canned\r\ncontent-length: {}\r\nconnection: close\r\n",
        canned.status,
        canned.body.len()
    );
    if !canned.headers.iter().any(|(n, _)| *n == "content-type") {
        response.push_str("content-type: application/json\r\n");
    }
    for (name, value) in &canned.headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(&canned.body);
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

/// Runs the binary with `MDM_URL`/`MDM_TOKEN` from the environment (so that
/// those work too) and `stdin` as its standard input.
async fn run(base: &str, token: Option<&str>, args: &[&str], stdin: &[u8]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_mdm-producer"));
    command
        .args(args)
        .env("MDM_URL", base)
        .env_remove("MDM_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(token) = token {
        command.env("MDM_TOKEN", token);
    }
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin).await.unwrap();
    drop(input);
    tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("mdm-producer did not finish in 60 s")
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn unit(version: u64) -> Value {
    json!({"hsa_id": HSA_ID, "name": "Vårdcentralen Test", "version": version})
}

/// A unit-input file in Cargo's scratch directory for integration tests.
fn input_file(name: &str, content: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn update_without_if_match_reads_the_etag_then_puts_with_it() {
    let (base, log) = serve(vec![
        answer(200, &[("etag", "\"41\"")], unit(41)),
        answer(200, &[("etag", "\"42\"")], unit(42)),
    ])
    .await;
    let input = r#"{"hsa_id": "SE2321000016-A1B2", "name": "Vårdcentralen Test"}"#;
    let file = input_file("update-unit.json", input);
    let output = run(&base, Some(TOKEN), &["update", HSA_ID, &file], b"").await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");

    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 2, "{log:#?}");
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].target, format!("/api/v1/units/{HSA_ID}"));
    assert_eq!(log[1].method, "PUT");
    assert_eq!(log[1].target, format!("/api/v1/producer/units/{HSA_ID}"));
    assert_eq!(log[1].header("if-match"), Some("\"41\""));
    assert_eq!(log[1].header("content-type"), Some("application/json"));
    assert_eq!(log[1].body, input.as_bytes(), "the file is sent as it is");
    for request in &log {
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
    assert!(
        log[1]
            .header("idempotency-key")
            .is_some_and(|k| !k.is_empty())
    );
    assert_eq!(log[0].header("idempotency-key"), None, "reads carry no key");

    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed, unit(42));
    assert!(stderr.contains("etag: \"42\""), "{stderr}");
}

#[tokio::test]
async fn a_write_is_retried_after_a_503_with_the_same_idempotency_key() {
    let created = unit(1);
    let (base, log) = serve(vec![
        problem(503, "Service Unavailable", "the store is busy"),
        answer(
            201,
            &[
                ("etag", "\"1\""),
                ("location", &format!("/api/v1/producer/units/{HSA_ID}")),
            ],
            created.clone(),
        ),
    ])
    .await;
    let input = r#"{"hsa_id": "SE2321000016-A1B2", "name": "Vårdcentralen Test"}"#.as_bytes();
    let output = run(&base, Some(TOKEN), &["create", "-"], input).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");

    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 2, "{log:#?}");
    for request in &log {
        assert_eq!(request.method, "POST");
        assert_eq!(request.target, "/api/v1/producer/units");
        assert_eq!(request.body, input, "stdin is sent as it is");
    }
    let first = log[0]
        .header("idempotency-key")
        .expect("no Idempotency-Key");
    assert!(!first.is_empty());
    assert_eq!(log[1].header("idempotency-key"), Some(first));
    assert_eq!(
        serde_json::from_slice::<Value>(&output.stdout).unwrap(),
        created
    );
    assert!(stderr.contains("retrying once"), "{stderr}");

    // The next write (another run) gets a key of its own.
    let (base, log2) = serve(vec![answer(201, &[("etag", "\"1\"")], created)]).await;
    let output = run(&base, Some(TOKEN), &["create", "-"], input).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let log2 = log2.lock().unwrap().clone();
    let second = log2[0]
        .header("idempotency-key")
        .expect("no Idempotency-Key");
    assert_ne!(second, first);
}

#[tokio::test]
async fn a_write_is_retried_only_once_and_a_5xx_exits_2() {
    let (base, log) = serve(vec![
        problem(503, "Service Unavailable", "the store is busy"),
        problem(503, "Service Unavailable", "the store is still busy"),
        answer(200, &[], unit(3)),
    ])
    .await;
    let output = run(
        &base,
        Some(TOKEN),
        &["retire", HSA_ID, "--if-match", "\"2\""],
        b"",
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: 503 Service Unavailable: the store is still busy"),
        "{stderr}"
    );
    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 2, "{log:#?}");
    assert!(log.iter().all(|r| r.method == "DELETE"));
    assert_eq!(
        log[0].header("idempotency-key"),
        log[1].header("idempotency-key")
    );
    assert!(output.stdout.is_empty());
}

#[tokio::test]
async fn a_stale_etag_exits_1_with_the_hint_and_is_not_retried() {
    let (base, log) = serve(vec![problem(
        412,
        "Precondition Failed",
        "the unit is at version 5, not 3",
    )])
    .await;
    let output = run(
        &base,
        Some(TOKEN),
        &["patch", HSA_ID, "-", "--if-match", "3"],
        br#"{"name": "Nytt namn"}"#,
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: 412 Precondition Failed: the unit is at version 5, not 3"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the unit changed since you read it; run get again"),
        "{stderr}"
    );
    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 1, "{log:#?}");
    assert_eq!(log[0].method, "PATCH");
    assert_eq!(
        log[0].header("if-match"),
        Some("\"3\""),
        "a bare ETag is quoted"
    );
    assert_eq!(
        log[0].header("content-type"),
        Some("application/merge-patch+json")
    );
    assert!(output.stdout.is_empty());
}

#[tokio::test]
async fn changes_pages_until_next_since_stops_moving() {
    let change = |seq: u64, kind: &str| {
        json!({"seq": seq, "hsa_id": format!("SE2321000016-{seq}"), "version": 1,
               "kind": kind, "at": "2026-01-01T00:00:00Z"})
    };
    let (base, log) = serve(vec![
        answer(
            200,
            &[],
            json!({"changes": [change(1, "created"), change(2, "updated")], "next_since": 2}),
        ),
        answer(
            200,
            &[],
            json!({"changes": [change(3, "retired")], "next_since": 3}),
        ),
        answer(200, &[], json!({"changes": [], "next_since": 3})),
    ])
    .await;
    let output = run(&base, Some(TOKEN), &["changes", "--limit", "2"], b"").await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");

    let log = log.lock().unwrap().clone();
    let targets: Vec<&str> = log.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            "/api/v1/changes?since=0&limit=2",
            "/api/v1/changes?since=2&limit=2",
            "/api/v1/changes?since=3&limit=2",
        ]
    );
    let stdout = text(&output.stdout);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            change(1, "created"),
            change(2, "updated"),
            change(3, "retired")
        ]
    );
    assert!(
        stdout
            .lines()
            .all(|line| !line.contains('\n') && line.starts_with('{'))
    );
    assert!(stderr.trim_end().ends_with("next_since: 3"), "{stderr}");
}

#[tokio::test]
async fn changes_that_fail_midway_still_print_where_to_resume() {
    let (base, _log) = serve(vec![
        answer(
            200,
            &[],
            json!({"changes": [{"seq": 7, "hsa_id": "X", "version": 2, "kind": "updated", "at": "t"}],
                   "next_since": 7}),
        ),
        problem(401, "Unauthorized", "the token has expired"),
    ])
    .await;
    let output = run(&base, Some(TOKEN), &["changes", "--since", "6"], b"").await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(text(&output.stdout).lines().count(), 1);
    assert!(stderr.contains("next_since: 7"), "{stderr}");
    assert!(
        stderr.contains("error: 401 Unauthorized: the token has expired"),
        "{stderr}"
    );
}

#[tokio::test]
async fn get_prints_the_unit_to_stdout_and_the_etag_to_stderr() {
    let (base, log) = serve(vec![answer(200, &[("etag", "\"9\"")], unit(9))]).await;
    let output = run(&base, Some(TOKEN), &["get", HSA_ID], b"").await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let stdout = text(&output.stdout);
    assert!(stdout.contains("\n  \"hsa_id\""), "not pretty: {stdout}");
    assert_eq!(serde_json::from_str::<Value>(&stdout).unwrap(), unit(9));
    assert_eq!(stderr.trim_end(), "etag: \"9\"");
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_missing_unit_exits_1() {
    let (base, _log) = serve(vec![problem(
        404,
        "Not Found",
        "there is no unit with HSA-id X",
    )])
    .await;
    let output = run(&base, Some(TOKEN), &["get", "X"], b"").await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: 404 Not Found: there is no unit with HSA-id X"
    );
}

#[tokio::test]
async fn no_server_exits_2() {
    // A port that was free a moment ago: nothing listens on it.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let output = run(&base, Some(TOKEN), &["get", HSA_ID], b"").await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: cannot reach http://"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_bad_command_line_exits_1_without_a_request() {
    let (base, log) = serve(Vec::new()).await;
    // No token anywhere.
    let output = run(&base, None, &["get", HSA_ID], b"").await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("--token"),
        "{}",
        text(&output.stderr)
    );
    // A body that is not JSON is refused before it is sent.
    let output = run(&base, Some(TOKEN), &["create", "-"], b"{\"name\": ").await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).starts_with("error: stdin is not JSON"),
        "{}",
        text(&output.stderr)
    );
    assert!(log.lock().unwrap().is_empty());
}
