//! Responses the host itself makes (no route, body too large, a guest that
//! failed or ran out of time), as RFC 9457 `application/problem+json`.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use wasmtime_wasi_http::WasiBody;

/// Media type of every problem body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A host-made problem response. `kind` becomes the stable `type`
/// `urn:mdm:problem:<kind>`; `detail` says what to do about it.
pub fn response(status: StatusCode, kind: &str, detail: &str) -> Response<WasiBody> {
    let body = serde_json::json!({
        "type": format!("urn:mdm:problem:{kind}"),
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    complete(status, PROBLEM_JSON, body.to_string())
}

/// A complete response the host makes itself: status, media type, body.
pub fn complete(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<WasiBody> {
    let mut response = Response::new(full(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A complete body in the boxed type wasi-http responses use.
pub fn full(bytes: Bytes) -> WasiBody {
    Full::new(bytes)
        .map_err(|never| match never {})
        .boxed_unsync()
}
