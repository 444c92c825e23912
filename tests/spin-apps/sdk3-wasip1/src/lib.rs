//! A component as Spin 3.0's Rust template made one: spin-sdk 3.1 built for
//! `wasm32-wasip1`. The result is a core module that imports WASI preview1,
//! Spin 2.0's `fermyon:spin/key-value` and `fermyon:spin/variables`, and
//! wasi:http 0.2.0; the host adapts it into a component at load time.

use spin_sdk::http::{IntoResponse, Method, Request, Response};
use spin_sdk::http_component;
use spin_sdk::key_value::{Error as KvError, Store};
use spin_sdk::variables;

fn text(status: u16, body: impl Into<String>) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain")
        .header("x-corpus", "sdk3-wasip1")
        .body(body.into())
        .build()
}

fn kv_error(e: KvError) -> Response {
    match e {
        KvError::AccessDenied => text(403, "access-denied"),
        KvError::NoSuchStore => text(404, "no-such-store"),
        KvError::StoreTableFull => text(503, "store-table-full"),
        KvError::Other(m) => text(500, format!("other: {m}")),
    }
}

#[http_component]
async fn handle(req: Request) -> anyhow::Result<impl IntoResponse> {
    let path = req
        .header("spin-path-info")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Ok(match (req.method(), segments.as_slice()) {
        (Method::Get, ["headers"]) => {
            let mut lines: Vec<String> = req
                .headers()
                .filter(|(k, _)| k.starts_with("spin-"))
                .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or("")))
                .collect();
            lines.sort();
            text(200, lines.join("\n"))
        }
        (Method::Put, ["kv", label, key]) => match Store::open(label) {
            Ok(store) => match store.set(key, req.body()) {
                Ok(()) => text(200, "stored"),
                Err(e) => kv_error(e),
            },
            Err(e) => kv_error(e),
        },
        (Method::Get, ["kv", label, key]) => match Store::open(label) {
            Ok(store) => match store.get(key) {
                Ok(Some(v)) => text(200, String::from_utf8_lossy(&v)),
                Ok(None) => text(404, "absent"),
                Err(e) => kv_error(e),
            },
            Err(e) => kv_error(e),
        },
        (Method::Get, ["var", name]) => match variables::get(name) {
            Ok(v) => text(200, v),
            // Only the error's kind: its message is the host's own wording.
            Err(variables::Error::Undefined(_)) => text(404, "undefined"),
            Err(variables::Error::InvalidName(_)) => text(400, "invalid-name"),
            Err(e) => text(500, format!("{e:?}")),
        },
        (Method::Get, ["outbound"]) => {
            let url = req.query().strip_prefix("url=").unwrap_or("").to_string();
            let outbound = Request::get(url).build();
            match spin_sdk::http::send::<_, Response>(outbound).await {
                Ok(r) => text(200, format!("upstream answered {}", r.status())),
                Err(spin_sdk::http::SendError::Http(code)) => {
                    text(502, format!("error-code: {code:?}"))
                }
                Err(e) => text(500, format!("other: {e}")),
            }
        }
        _ => text(404, format!("no route {path}")),
    })
}
