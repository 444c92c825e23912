//! `Idempotency-Key`: a write retried with the same key (by the same caller)
//! returns the first result and writes nothing again.
//!
//! The key is reserved by compare-and-swap before the write runs, so two
//! copies of a request racing each other cannot both write: the second sees
//! the reservation and is told to retry. The record holds a fingerprint of
//! the request (method, path, body); the same key with a different request
//! is refused. A write that failed on the store (5xx) releases the key so a
//! retry can run it. Records are kept (Spin's key-value store has no expiry).

use mdm_http_kit::{ApiError, Caller};
use mdm_kv_repo::SpinKv;
use serde::{Deserialize, Serialize};
use spin_sdk::http::{Request, Response};

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Record {
    fingerprint: String,
    /// `None` while the first request runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outcome: Option<Outcome>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Outcome {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

/// FNV-1a over the request: enough to tell a different request from a
/// retry of the same one (not a security boundary: the key is the caller's).
fn fingerprint(req: &Request) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let method = req.method().to_string();
    for part in [
        method.as_bytes(),
        b" ",
        req.path().as_bytes(),
        b"\n",
        req.body(),
    ] {
        for byte in part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Runs `write` at most once per `Idempotency-Key`.
pub fn once(
    req: &Request,
    write: impl FnOnce(&Request) -> Result<Response, ApiError>,
) -> Result<Response, ApiError> {
    let Some(key) = req.header("idempotency-key").and_then(|v| v.as_str()) else {
        return write(req);
    };
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_request(
            "invalid-idempotency-key",
            "Idempotency-Key must be 1 to 128 visible ASCII characters, e.g. a UUID",
        ));
    }
    // Keys are per caller: one producer's key never replays another's result.
    let subject = Caller::from_request(req)
        .map(|c| c.subject)
        .unwrap_or_default();
    let record_key = mdm_kv_repo::keys::idempotency(&subject, key);
    let kv = SpinKv::open_default().map_err(ApiError::store)?;
    let fingerprint = fingerprint(req);
    let reservation = serde_json::to_vec(&Record {
        fingerprint: fingerprint.clone(),
        outcome: None,
    })
    .map_err(|e| ApiError::new(500, "internal", e.to_string()))?;

    if !kv
        .compare_and_swap(&record_key, None, &reservation)
        .map_err(ApiError::store)?
    {
        return replay(&kv, &record_key, &fingerprint);
    }
    let path = req.path().to_string();
    let response = write(req).unwrap_or_else(|e| e.into_response(Some(&path)));
    if *response.status() >= 500 {
        let _ = kv.delete(&record_key);
        return Ok(response);
    }
    let record = Record {
        fingerprint,
        outcome: Some(Outcome {
            status: *response.status(),
            headers: response
                .headers()
                .filter_map(|(name, value)| Some((name.to_string(), value.as_str()?.to_string())))
                .collect(),
            body: String::from_utf8_lossy(response.body()).into_owned(),
        }),
    };
    let bytes =
        serde_json::to_vec(&record).map_err(|e| ApiError::new(500, "internal", e.to_string()))?;
    kv.compare_and_swap(&record_key, Some(&reservation), &bytes)
        .map_err(ApiError::store)?;
    Ok(response)
}

fn replay(kv: &SpinKv, record_key: &str, fingerprint: &str) -> Result<Response, ApiError> {
    let record: Record = mdm_kv_repo::get_json(kv, record_key)
        .map_err(ApiError::store)?
        .ok_or_else(|| {
            ApiError::new(
                409,
                "idempotency-key-in-use",
                "a request with this Idempotency-Key failed and is being retried; try again",
            )
        })?;
    if record.fingerprint != fingerprint {
        return Err(ApiError::new(
            422,
            "idempotency-key-reused",
            "this Idempotency-Key was used for a different request; use a new key for a new request",
        ));
    }
    let Some(outcome) = record.outcome else {
        return Err(ApiError::new(
            409,
            "idempotency-key-in-use",
            "the first request with this Idempotency-Key is still running; retry shortly",
        ));
    };
    let mut builder = Response::builder();
    builder.status(outcome.status);
    for (name, value) in &outcome.headers {
        builder.header(name.as_str(), value.as_str());
    }
    builder.header("idempotent-replayed", "true");
    Ok(builder.body(outcome.body.into_bytes()).build())
}
