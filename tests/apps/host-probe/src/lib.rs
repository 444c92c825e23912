//! A probe component for the host's tests, built with spin-sdk like any
//! Spin app. Each route exercises one capability and reports exactly what
//! the host answered, so tests can assert on it.

use spin_sdk::http::{self, Method, Request, Response};
use spin_sdk::key_value::{Error as KvError, Store};
use spin_sdk::variables;
use spin_sdk::wit::wasi::keyvalue::{atomics, store as wasi_store};

fn text(status: u16, body: impl Into<String>) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain")
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

fn wasi_error(e: wasi_store::Error) -> Response {
    match e {
        wasi_store::Error::AccessDenied => text(403, "access-denied"),
        wasi_store::Error::NoSuchStore => text(404, "no-such-store"),
        wasi_store::Error::Other(m) => text(500, format!("other: {m}")),
    }
}

async fn handle(req: Request) -> Response {
    // Match on what the host says is below the matched route, which also
    // checks that it sets `spin-path-info`.
    let path = req
        .header("spin-path-info")
        .and_then(|v| v.as_str())
        .unwrap_or(req.path())
        .to_string();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (req.method(), segments.as_slice()) {
        (Method::Get, ["kv", label, key]) => match Store::open(label) {
            Ok(store) => match store.get(key) {
                Ok(Some(v)) => text(200, String::from_utf8_lossy(&v)),
                Ok(None) => text(404, "absent"),
                Err(e) => kv_error(e),
            },
            Err(e) => kv_error(e),
        },
        (Method::Put, ["kv", label, key]) => match Store::open(label) {
            Ok(store) => match store.set(key, req.body()) {
                Ok(()) => text(204, ""),
                Err(e) => kv_error(e),
            },
            Err(e) => kv_error(e),
        },
        (Method::Get, ["wasi-kv", label, key]) => match wasi_store::open(label) {
            Ok(bucket) => match bucket.get(key) {
                Ok(Some(v)) => text(200, String::from_utf8_lossy(&v)),
                Ok(None) => text(404, "absent"),
                Err(e) => wasi_error(e),
            },
            Err(e) => wasi_error(e),
        },
        // Read-modify-write of a decimal counter through compare-and-swap,
        // retrying until it wins: the host must never lose an increment.
        (Method::Post, ["cas-increment", key]) => cas_increment(key),
        (Method::Post, ["atomic-increment", key]) => match wasi_store::open("default") {
            Ok(bucket) => match atomics::increment(&bucket, key, 1) {
                Ok(n) => text(200, n.to_string()),
                Err(e) => wasi_error(e),
            },
            Err(e) => wasi_error(e),
        },
        (Method::Get, ["var", name]) => match variables::get(name) {
            Ok(v) => text(200, v),
            Err(variables::Error::Undefined(m)) => text(404, format!("undefined: {m}")),
            Err(variables::Error::InvalidName(m)) => text(400, format!("invalid-name: {m}")),
            Err(e) => text(500, format!("{e:?}")),
        },
        (Method::Get, ["outbound"]) => outbound(req.query()).await,
        (Method::Get, ["headers"]) => {
            let mut spin: Vec<(String, String)> = req
                .headers()
                .filter(|(k, _)| k.starts_with("spin-") || k.starts_with("x-mdm-") || *k == "host")
                .map(|(k, v)| (k.to_string(), v.as_str().unwrap_or("").to_string()))
                .collect();
            spin.sort();
            let map: serde_json::Map<String, serde_json::Value> = spin
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect();
            Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(serde_json::Value::Object(map).to_string())
                .build()
        }
        (Method::Post, ["echo-length"]) => text(200, req.body().len().to_string()),
        (Method::Get, ["spin-forever"]) => spin_forever(),
        (Method::Get, ["grow-memory", mib]) => grow_memory(mib),
        (Method::Get, ["hello"]) => text(200, "hello"),
        (Method::Post, ["kv-tour"]) => text(200, kv_tour()),
        _ => {
            // Say which route the host matched, so routing tests can tell
            // which component answered.
            let matched = req
                .header("spin-matched-route")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            let mut response = text(404, format!("probe has no route {path}"));
            response.set_header("x-matched-route", matched);
            response
        }
    }
}

fn cas_increment(key: &str) -> Response {
    let bucket = match wasi_store::open("default") {
        Ok(b) => b,
        Err(e) => return wasi_error(e),
    };
    let mut cas = match atomics::Cas::new(&bucket, key) {
        Ok(c) => c,
        Err(e) => return wasi_error(e),
    };
    for attempt in 1..=10_000 {
        let current = match cas.current() {
            Ok(v) => v,
            Err(e) => return wasi_error(e),
        };
        let n: u64 = current
            .map(|v| String::from_utf8_lossy(&v).parse().unwrap_or(0))
            .unwrap_or(0);
        match atomics::swap(cas, (n + 1).to_string().as_bytes()) {
            Ok(()) => return text(200, format!("{} after {attempt} attempts", n + 1)),
            Err(atomics::CasError::CasFailed(fresh)) => cas = fresh,
            Err(atomics::CasError::StoreError(e)) => return wasi_error(e),
        }
    }
    text(500, "gave up")
}

/// Calls every function of Spin's key-value interface and of
/// `wasi:keyvalue` store, atomics and batch once, and writes down what each
/// returned: a transcript the host's tests compare exactly.
fn kv_tour() -> String {
    use spin_sdk::wit::wasi::keyvalue::batch;
    let mut log = Vec::new();
    let spin = Store::open("default").expect("open default");
    log.push(format!("spin.set={:?}", spin.set("tour-a", b"1")));
    log.push(format!("spin.get={:?}", spin.get("tour-a")));
    log.push(format!("spin.exists={:?}", spin.exists("tour-a")));
    log.push(format!("spin.delete={:?}", spin.delete("tour-a")));
    log.push(format!(
        "spin.exists-after-delete={:?}",
        spin.exists("tour-a")
    ));
    log.push(format!("spin.open-unknown={:?}", Store::open("nope").err()));

    let bucket = wasi_store::open("default").expect("open default bucket");
    log.push(format!("wasi.set={:?}", bucket.set("tour-b", b"2")));
    log.push(format!("wasi.get={:?}", bucket.get("tour-b")));
    log.push(format!("wasi.exists={:?}", bucket.exists("tour-b")));
    let keys = bucket.list_keys(None).map(|r| {
        let mut tour: Vec<String> = r
            .keys
            .into_iter()
            .filter(|k| k.starts_with("tour-"))
            .collect();
        tour.sort();
        (tour, r.cursor)
    });
    log.push(format!("wasi.list-keys={keys:?}"));
    log.push(format!("wasi.delete={:?}", bucket.delete("tour-b")));

    log.push(format!(
        "batch.set-many={:?}",
        batch::set_many(
            &bucket,
            &[
                ("tour-c".into(), b"3".to_vec()),
                ("tour-d".into(), b"4".to_vec())
            ]
        )
    ));
    log.push(format!(
        "batch.get-many={:?}",
        batch::get_many(
            &bucket,
            &["tour-c".into(), "tour-x".into(), "tour-d".into()]
        )
    ));
    log.push(format!(
        "batch.delete-many={:?}",
        batch::delete_many(&bucket, &["tour-c".into(), "tour-d".into()])
    ));
    log.push(format!(
        "spin.get-keys-after={:?}",
        spin.get_keys()
            .map(|k| k.into_iter().filter(|k| k.starts_with("tour-")).count())
    ));

    log.push(format!(
        "atomics.increment={:?}",
        atomics::increment(&bucket, "tour-n", 5)
    ));
    log.push(format!(
        "atomics.increment={:?}",
        atomics::increment(&bucket, "tour-n", -2)
    ));
    let cas = atomics::Cas::new(&bucket, "tour-n").expect("cas");
    log.push(format!("cas.current={:?}", cas.current()));
    log.push(format!(
        "cas.swap={:?}",
        atomics::swap(cas, b"10").map_err(|_| "failed")
    ));
    let stale = atomics::Cas::new(&bucket, "tour-n").expect("cas");
    log.push(format!(
        "spin.set-behind-cas={:?}",
        spin.set("tour-n", b"11")
    ));
    let outcome = match atomics::swap(stale, b"12") {
        Ok(()) => "swapped".to_string(),
        Err(atomics::CasError::CasFailed(fresh)) => {
            format!("cas-failed, now {:?}", fresh.current())
        }
        Err(atomics::CasError::StoreError(e)) => format!("store-error {e:?}"),
    };
    log.push(format!("cas.swap-stale={outcome}"));
    log.push(format!("final={:?}", bucket.get("tour-n")));
    let _ = bucket.delete("tour-n");
    log.join("\n")
}

async fn outbound(query: &str) -> Response {
    let url = query.strip_prefix("url=").unwrap_or(query);
    let request = Request::get(url).build();
    match http::send::<_, Response>(request).await {
        Ok(resp) => text(
            200,
            format!("{} {}", resp.status(), String::from_utf8_lossy(resp.body())),
        ),
        Err(e) => text(502, format!("error: {e}")),
    }
}

#[allow(clippy::empty_loop)]
fn spin_forever() -> Response {
    // A guest that never yields: only the host's deadline can stop it.
    let mut n: u64 = 0;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}

fn grow_memory(mib: &str) -> Response {
    let mib: usize = mib.parse().unwrap_or(0);
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    for _ in 0..mib {
        let mut chunk = Vec::new();
        if chunk.try_reserve_exact(1 << 20).is_err() {
            return text(507, format!("allocation failed after {} MiB", chunks.len()));
        }
        chunk.resize(1 << 20, 1);
        chunks.push(chunk);
    }
    text(200, format!("allocated {} MiB", chunks.len()))
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
