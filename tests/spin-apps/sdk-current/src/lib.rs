//! One wasm file behind every component of the `sdk-current` corpus app.
//! What it does depends on the route the host matched
//! (`spin-component-route`), so each component of the manifest exercises one
//! thing and the corpus can state its exact answer:
//!
//! - `/kv`, `/kv-denied`: key-value through Spin's `Store`
//!   (`GET|PUT /kv/<label>/<key>`);
//! - `/vars`: `GET /vars/<name>` reads a variable;
//! - `/outbound`: `GET /outbound?url=<url>` sends a request and reports the
//!   upstream's status or the error code the host gave;
//! - `/slow`: answers after 3 s (graceful shutdown);
//! - `/status/:code`: answers with that status and no body;
//! - anything else: echoes what the component received.

use std::time::Duration;

use spin_sdk::http::{self, Method, Request, Response};
use spin_sdk::key_value::{Error as KvError, Store};
use spin_sdk::variables;

fn text(status: u16, body: impl Into<String>) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .header("x-corpus", "sdk-current")
        .body(body.into())
        .build()
}

fn header<'a>(req: &'a Request, name: &str) -> &'a str {
    req.header(name).and_then(|v| v.as_str()).unwrap_or("")
}

async fn handle(req: Request) -> Response {
    let path_info = header(&req, "spin-path-info").to_string();
    let segments: Vec<&str> = path_info
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match header(&req, "spin-component-route") {
        "/kv" | "/kv-denied" => kv(&req, &segments),
        "/vars" => match variables::get(segments.first().copied().unwrap_or("")) {
            Ok(v) => text(200, v),
            // Only the error's kind: its message is the host's own wording.
            Err(variables::Error::Undefined(_)) => text(404, "undefined"),
            Err(variables::Error::InvalidName(_)) => text(400, "invalid-name"),
            Err(e) => text(500, format!("{e:?}")),
        },
        "/outbound" | "/outbound-all" => outbound(req.query()).await,
        "/slow" => {
            std::thread::sleep(Duration::from_millis(3000));
            text(200, "slow answer")
        }
        "/status/:code" => {
            let code: u16 = header(&req, "spin-path-match-code").parse().unwrap_or(500);
            Response::builder()
                .status(code)
                .header("x-corpus", "sdk-current")
                .body(Vec::new())
                .build()
        }
        _ => echo(&req),
    }
}

/// Everything the component was given: method, URI, every header (sorted),
/// and the body's length.
fn echo(req: &Request) -> Response {
    let mut lines = vec![
        format!("method: {:?}", req.method()),
        format!("uri: {}", req.uri()),
    ];
    let mut headers: Vec<String> = req
        .headers()
        .map(|(k, v)| format!("header {k}: {}", v.as_str().unwrap_or("<binary>")))
        .collect();
    headers.sort();
    lines.extend(headers);
    lines.push(format!("body-length: {}", req.body().len()));
    text(200, lines.join("\n") + "\n")
}

fn kv_error(e: KvError) -> Response {
    match e {
        KvError::AccessDenied => text(403, "access-denied"),
        KvError::NoSuchStore => text(404, "no-such-store"),
        KvError::StoreTableFull => text(503, "store-table-full"),
        KvError::Other(m) => text(500, format!("other: {m}")),
    }
}

fn kv(req: &Request, segments: &[&str]) -> Response {
    let [label, key] = segments else {
        return text(400, "expected /kv/<label>/<key>");
    };
    let store = match Store::open(label) {
        Ok(s) => s,
        Err(e) => return kv_error(e),
    };
    match req.method() {
        Method::Put => match store.set(key, req.body()) {
            Ok(()) => text(200, "stored"),
            Err(e) => kv_error(e),
        },
        Method::Get => match store.get(key) {
            Ok(Some(v)) => text(200, String::from_utf8_lossy(&v)),
            Ok(None) => text(404, "absent"),
            Err(e) => kv_error(e),
        },
        _ => text(405, "GET or PUT"),
    }
}

async fn outbound(query: &str) -> Response {
    let url = query.strip_prefix("url=").unwrap_or(query);
    let request = Request::get(url).build();
    match http::send::<_, Response>(request).await {
        Ok(resp) => text(
            200,
            format!(
                "upstream {}: {}",
                resp.status(),
                String::from_utf8_lossy(resp.body())
            ),
        ),
        Err(http::SendError::Http(code)) => text(502, format!("error-code: {code:?}")),
        Err(e) => text(500, format!("other: {e}")),
    }
}

// spin-sdk's `#[http_component]` expands to the component's export glue,
// which is necessarily `unsafe`; the allowance is scoped to that glue.
#[allow(unsafe_code)]
mod export {
    use spin_sdk::http::{Request, Response};

    #[spin_sdk::http_component]
    async fn handle(req: Request) -> Response {
        super::handle(req).await
    }
}
