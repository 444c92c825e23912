//! HTTP helpers every function shares. Errors are RFC 9457
//! `application/problem+json` with a stable `type` (`urn:mdm:problem:<kind>`)
//! and a detail a person can act on; internals never reach the client.

use mdm_types::Problem;
use serde::Serialize;
use serde::de::DeserializeOwned;
use spin_sdk::http::{Request, Response};

/// Media type of problem bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";
/// Media type of JSON bodies.
pub const JSON: &str = "application/json";

/// An error response in the making: status, stable kind and human detail.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub kind: &'static str,
    pub detail: String,
    /// RFC 9457 extension members, e.g. the suggestions of an unknown address.
    pub extensions: Vec<(&'static str, serde_json::Value)>,
}

impl ApiError {
    pub fn new(status: u16, kind: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            detail: detail.into(),
            extensions: Vec::new(),
        }
    }

    /// Adds an extension member to the problem body.
    pub fn with(mut self, name: &'static str, value: impl Serialize) -> Self {
        if let Ok(value) = serde_json::to_value(value) {
            self.extensions.push((name, value));
        }
        self
    }

    pub fn bad_request(kind: &'static str, detail: impl Into<String>) -> Self {
        Self::new(400, kind, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(404, "not-found", detail)
    }

    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            405,
            "method-not-allowed",
            format!("{method} is not allowed on {path}"),
        )
    }

    /// A store failure: the detail goes to the component log, the client
    /// gets a generic message.
    pub fn store(err: impl std::fmt::Display) -> Self {
        eprintln!("key-value store error: {err}");
        Self::new(
            503,
            "store-unavailable",
            "the data store could not be reached; try again shortly",
        )
    }

    /// The RFC 9457 body.
    pub fn problem(&self, instance: Option<&str>) -> Problem {
        Problem {
            r#type: format!("urn:mdm:problem:{}", self.kind),
            title: title(self.status).to_string(),
            status: self.status,
            detail: self.detail.clone(),
            instance: instance.map(str::to_string),
        }
    }

    pub fn into_response(self, instance: Option<&str>) -> Response {
        let mut problem = serde_json::to_value(self.problem(instance)).unwrap_or_default();
        if let Some(members) = problem.as_object_mut() {
            for (name, value) in self.extensions {
                members.entry(name).or_insert(value);
            }
        }
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut builder = Response::builder();
        builder
            .status(self.status)
            .header("content-type", PROBLEM_JSON);
        if self.status == 405 {
            builder.header("allow", "GET, POST");
        }
        builder.body(body).build()
    }
}

fn title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        428 => "Precondition Required",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// A JSON response with the given status.
pub fn json<T: Serialize>(status: u16, value: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(value)
        .map_err(|e| ApiError::new(500, "internal", format!("could not encode response: {e}")))?;
    Ok(Response::builder()
        .status(status)
        .header("content-type", JSON)
        .body(body)
        .build())
}

/// The request's media type: `content-type` without its parameters,
/// lower-cased (`Application/JSON; charset=utf-8` → `application/json`).
pub fn media_type(req: &Request) -> Option<String> {
    req.header("content-type")
        .and_then(|v| v.as_str())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

/// Decodes a JSON request body into `T`, rejecting a wrong media type,
/// malformed JSON and (through `T`'s `deny_unknown_fields`) unknown fields,
/// with serde's message saying where.
pub fn read_json<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let media_type = media_type(req);
    if media_type.as_deref() != Some(JSON) {
        return Err(ApiError::new(
            415,
            "unsupported-media-type",
            "send the body as application/json",
        ));
    }
    serde_json::from_slice(req.body()).map_err(|e| {
        ApiError::bad_request("malformed-body", format!("the JSON body is not valid: {e}"))
    })
}

/// Who is calling, as the gateway verified it (the `x-mdm-*` headers; any a
/// client sent were removed by the gateway). `None` when the request did not
/// pass a gateway (plain-Spin mode), which writes must refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub subject: String,
    pub roles: Vec<String>,
    pub organisations: Vec<String>,
    pub integration: Option<String>,
}

impl Caller {
    pub fn from_request(req: &Request) -> Option<Self> {
        let header = |name: &str| req.header(name).and_then(|v| v.as_str());
        let list = |name: &str| -> Vec<String> {
            header(name)
                .map(|v| {
                    v.split(',')
                        .filter(|p| !p.is_empty())
                        .map(percent_decode)
                        .collect()
                })
                .unwrap_or_default()
        };
        Some(Self {
            subject: percent_decode(header("x-mdm-subject")?),
            roles: list("x-mdm-roles"),
            organisations: list("x-mdm-organisations"),
            integration: header("x-mdm-integration").map(percent_decode),
        })
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Whether the caller acts for `organisation` (an HSA-id or an
    /// organisation number).
    pub fn acts_for(&self, organisation: &str) -> bool {
        self.organisations.iter().any(|o| o == organisation)
    }
}

/// The parameters of a query string, percent-decoded (`+` is a space), in order.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode(&name.replace('+', " ")),
                percent_decode(&value.replace('+', " ")),
            )
        })
        .collect()
}

/// Percent-encodes a query value (RFC 3986: unreserved characters kept).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Undoes the gateway's percent-encoding of header values.
fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The strong entity tag of a document version: `"<version>"`.
pub fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

/// Whether an `If-None-Match` header value matches `version` (`*` or a list
/// of tags, weak or strong, per RFC 9110's weak comparison).
pub fn if_none_match_hits(header: &str, version: u64) -> bool {
    let tag = etag(version);
    header.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag
    })
}

/// RFC 7386: objects merge member by member, `null` removes, anything else
/// replaces.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    let Some(members) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = serde_json::Value::Object(serde_json::Map::new());
    }
    let object = target.as_object_mut().expect("made an object above");
    for (name, value) in members {
        if value.is_null() {
            object.remove(name);
        } else {
            merge_patch(
                object
                    .entry(name.clone())
                    .or_insert(serde_json::Value::Null),
                value,
            );
        }
    }
}

/// Whether an `If-Match` header value matches `version`: `*` or a list of
/// tags, compared strongly (RFC 9110: a weak tag never matches If-Match).
pub fn if_match_hits(header: &str, version: u64) -> bool {
    let tag = etag(version);
    header
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate == tag)
}

/// The current time as RFC 3339 in UTC with seconds, e.g. `2026-12-04T10:15:00Z`.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_follows_rfc_7386() {
        // The examples of RFC 7386, section 3.
        let cases = [
            (
                serde_json::json!({"a": "b"}),
                serde_json::json!({"a": "c"}),
                serde_json::json!({"a": "c"}),
            ),
            (
                serde_json::json!({"a": "b"}),
                serde_json::json!({"b": "c"}),
                serde_json::json!({"a": "b", "b": "c"}),
            ),
            (
                serde_json::json!({"a": "b"}),
                serde_json::json!({"a": null}),
                serde_json::json!({}),
            ),
            (
                serde_json::json!({"a": "b", "b": "c"}),
                serde_json::json!({"a": null}),
                serde_json::json!({"b": "c"}),
            ),
            (
                serde_json::json!({"a": ["b"]}),
                serde_json::json!({"a": "c"}),
                serde_json::json!({"a": "c"}),
            ),
            (
                serde_json::json!({"a": "c"}),
                serde_json::json!({"a": ["b"]}),
                serde_json::json!({"a": ["b"]}),
            ),
            (
                serde_json::json!({"a": {"b": "c"}}),
                serde_json::json!({"a": {"b": "d", "c": null}}),
                serde_json::json!({"a": {"b": "d"}}),
            ),
            (
                serde_json::json!({"a": [{"b": "c"}]}),
                serde_json::json!({"a": [1]}),
                serde_json::json!({"a": [1]}),
            ),
            (
                serde_json::json!({"e": null}),
                serde_json::json!({"a": 1}),
                serde_json::json!({"e": null, "a": 1}),
            ),
            (
                serde_json::json!([1, 2]),
                serde_json::json!({"a": "b", "c": null}),
                serde_json::json!({"a": "b"}),
            ),
            (
                serde_json::json!({}),
                serde_json::json!({"a": {"bb": {"ccc": null}}}),
                serde_json::json!({"a": {"bb": {}}}),
            ),
        ];
        for (target, patch, expected) in cases {
            let mut result = target.clone();
            merge_patch(&mut result, &patch);
            assert_eq!(result, expected, "{target} + {patch}");
        }
    }

    #[test]
    fn percent_encoding_round_trips_through_query_pairs() {
        let value = "Sveavägen 4, a+b/c&d=e";
        assert_eq!(percent_encode("Sveavägen 4,"), "Sveav%C3%A4gen%204%2C");
        assert_eq!(
            query_pairs(&format!("q={}", percent_encode(value))),
            [("q".to_string(), value.to_string())]
        );
    }

    #[test]
    fn if_match_is_strong() {
        assert!(if_match_hits("\"3\"", 3));
        assert!(if_match_hits("\"1\", \"3\"", 3));
        assert!(if_match_hits("*", 3));
        assert!(!if_match_hits("W/\"3\"", 3));
        assert!(!if_match_hits("\"2\"", 3));
    }

    #[test]
    fn if_none_match_accepts_star_lists_and_weak_tags() {
        let cases = [
            ("\"3\"", 3, true),
            ("\"2\"", 3, false),
            ("*", 7, true),
            ("\"1\", \"3\"", 3, true),
            ("W/\"3\"", 3, true),
            ("3", 3, false),
        ];
        for (header, version, expected) in cases {
            assert_eq!(
                if_none_match_hits(header, version),
                expected,
                "{header} vs {version}"
            );
        }
    }

    #[test]
    fn percent_decoding_undoes_the_gateways_encoding() {
        for (encoded, decoded) in [
            ("demo-viewer", "demo-viewer"),
            ("a%2Cb", "a,b"),
            ("100%25", "100%"),
            ("J%C3%B6rgen", "Jörgen"),
            ("bad%zz", "bad%zz"),
            ("end%2", "end%2"),
        ] {
            assert_eq!(percent_decode(encoded), decoded, "{encoded}");
        }
    }

    #[test]
    fn problem_carries_stable_type_and_status() {
        let p = ApiError::not_found("no unit SE1-X").problem(Some("/api/v1/units/SE1-X"));
        assert_eq!(p.r#type, "urn:mdm:problem:not-found");
        assert_eq!(p.status, 404);
        assert_eq!(p.title, "Not Found");
        assert_eq!(p.instance.as_deref(), Some("/api/v1/units/SE1-X"));
    }
}
