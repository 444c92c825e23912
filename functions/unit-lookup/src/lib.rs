//! unit-lookup: consumers read units.
//!
//! - `GET /api/v1/units/{hsa-id}`: the stored unit with its version as
//!   `ETag` (304 on a matching `If-None-Match`);
//! - `GET /api/v1/units/{hsa-id}/history[?limit=]`: its versions, oldest
//!   first;
//! - `GET /api/v1/changes?since=<seq>[&limit=]`: the change feed, so a
//!   consumer keeps an exact copy by polling from its last `next_since`.

use mdm_http_kit::{ApiError, JSON, etag, if_none_match_hits, json, query_pairs};
use mdm_kv_repo::{SpinKv, get_raw, keys};
use spin_sdk::http::{Method, Request, Response};

const UNITS: &str = "/api/v1/units/";
const CHANGES: &str = "/api/v1/changes";
/// Versions a history answer holds by default and at most.
const HISTORY_DEFAULT: u64 = 100;
const HISTORY_MAX: u64 = 1000;
/// Changes a feed page holds by default.
const CHANGES_DEFAULT: u64 = 100;

fn handle(req: Request) -> Response {
    let path = req.path().to_string();
    route(&req).unwrap_or_else(|e| e.into_response(Some(&path)))
}

fn route(req: &Request) -> Result<Response, ApiError> {
    let path = req.path();
    let get = matches!(req.method(), Method::Get | Method::Head);
    let not_allowed = || ApiError::method_not_allowed(&req.method().to_string(), path);
    if path == CHANGES {
        return if get {
            changes(req)
        } else {
            Err(not_allowed())
        };
    }
    let parts: Vec<&str> = path
        .strip_prefix(UNITS)
        .map(|rest| rest.split('/').collect())
        .unwrap_or_default();
    match parts.as_slice() {
        [id] if !id.is_empty() => {
            if get {
                get_unit(req, id)
            } else {
                Err(not_allowed())
            }
        }
        [id, "history"] if !id.is_empty() => {
            if get {
                history(req, id)
            } else {
                Err(not_allowed())
            }
        }
        _ => Err(ApiError::not_found(format!(
            "there is no resource at {path}"
        ))),
    }
}

/// Reads one numeric query parameter of `allowed` names; others are refused.
fn numbers(req: &Request, allowed: &[&str]) -> Result<Vec<Option<u64>>, ApiError> {
    let mut values = vec![None; allowed.len()];
    for (name, value) in query_pairs(req.query()) {
        let Some(i) = allowed.iter().position(|a| *a == name) else {
            return Err(ApiError::bad_request(
                "invalid-query",
                format!(
                    "unknown query parameter {name:?}; use {}",
                    allowed.join(", ")
                ),
            ));
        };
        values[i] = Some(value.parse().map_err(|_| {
            ApiError::bad_request(
                "invalid-query",
                format!("{name}={value:?} is not a whole number"),
            )
        })?);
    }
    Ok(values)
}

fn history(req: &Request, hsa_id: &str) -> Result<Response, ApiError> {
    check_id(hsa_id)?;
    let limit = numbers(req, &["limit"])?[0].unwrap_or(HISTORY_DEFAULT);
    if !(1..=HISTORY_MAX).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid-query",
            format!("limit must be 1 to {HISTORY_MAX}"),
        ));
    }
    let kv = SpinKv::open_default().map_err(ApiError::store)?;
    let versions = mdm_unit_registry::history(&mut &kv, hsa_id, limit)
        .map_err(ApiError::store)?
        .ok_or_else(|| ApiError::not_found(format!("there is no unit with HSA-id {hsa_id}")))?;
    json(200, &versions)
}

fn changes(req: &Request) -> Result<Response, ApiError> {
    let values = numbers(req, &["since", "limit"])?;
    let since = values[0].ok_or_else(|| {
        ApiError::bad_request(
            "invalid-query",
            "give since: 0 to start from the beginning, then the next_since of the last page",
        )
    })?;
    let limit = values[1].unwrap_or(CHANGES_DEFAULT);
    if !(1..=mdm_unit_registry::MAX_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid-query",
            format!("limit must be 1 to {}", mdm_unit_registry::MAX_PAGE),
        ));
    }
    let kv = SpinKv::open_default().map_err(ApiError::store)?;
    let page = mdm_unit_registry::changes(&mut &kv, since, limit, &mdm_http_kit::now_rfc3339())
        .map_err(ApiError::store)?;
    let mut response = json(200, &page)?;
    if page.next_since > since {
        response.set_header(
            "link",
            format!(
                "<{CHANGES}?since={}&limit={limit}>; rel=\"next\"",
                page.next_since
            ),
        );
    }
    Ok(response)
}

fn check_id(hsa_id: &str) -> Result<(), ApiError> {
    mdm_identifiers::check_hsa_id(hsa_id).map_err(|e| {
        ApiError::bad_request(
            "invalid-hsa-id",
            format!("{hsa_id:?} is not an HSA-id: {e}"),
        )
    })
}

fn get_unit(req: &Request, hsa_id: &str) -> Result<Response, ApiError> {
    check_id(hsa_id)?;
    let kv = SpinKv::open_default().map_err(ApiError::store)?;
    // The stored document is the unit's JSON as the API serves it, written
    // only by the producers' code through the generated `Unit` type; serve
    // it as stored and read nothing but its version for the ETag.
    let document = get_raw(&kv, &keys::unit(hsa_id))
        .map_err(ApiError::store)?
        .ok_or_else(|| ApiError::not_found(format!("there is no unit with HSA-id {hsa_id}")))?;

    let tag = etag(document.version);
    if let Some(inm) = req.header("if-none-match").and_then(|v| v.as_str())
        && if_none_match_hits(inm, document.version)
    {
        return Ok(Response::builder().status(304).header("etag", tag).build());
    }
    Ok(Response::builder()
        .status(200)
        .header("content-type", JSON)
        .header("etag", tag)
        .body(document.bytes)
        .build())
}

// spin-sdk's `#[http_component]` expands to the component's export glue,
// which is necessarily `unsafe`; the allowance is scoped to that glue.
#[allow(unsafe_code)]
mod export {
    use spin_sdk::http::{Request, Response};

    #[spin_sdk::http_component]
    fn handle(req: Request) -> Response {
        super::handle(req)
    }
}
