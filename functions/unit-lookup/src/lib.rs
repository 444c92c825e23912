//! unit-lookup: consumers read units. `GET /api/v1/units/{hsa-id}` returns
//! the stored unit with its version as `ETag` (304 on a matching
//! `If-None-Match`).

use mdm_http_kit::{ApiError, JSON, etag, if_none_match_hits};
use mdm_kv_repo::{SpinKv, get_raw, keys};
use spin_sdk::http::{Method, Request, Response};

const UNITS: &str = "/api/v1/units/";

fn handle(req: Request) -> Response {
    let path = req.path().to_string();
    route(&req).unwrap_or_else(|e| e.into_response(Some(&path)))
}

fn route(req: &Request) -> Result<Response, ApiError> {
    let path = req.path();
    match (req.method(), path.strip_prefix(UNITS)) {
        (Method::Get, Some(id)) if !id.is_empty() && !id.contains('/') => get_unit(req, id),
        (_, Some(id)) if !id.is_empty() && !id.contains('/') => Err(ApiError::method_not_allowed(
            &req.method().to_string(),
            path,
        )),
        _ => Err(ApiError::not_found(format!(
            "there is no resource at {path}"
        ))),
    }
}

fn get_unit(req: &Request, hsa_id: &str) -> Result<Response, ApiError> {
    mdm_identifiers::check_hsa_id(hsa_id).map_err(|e| {
        ApiError::bad_request(
            "invalid-hsa-id",
            format!("{hsa_id:?} is not an HSA-id: {e}"),
        )
    })?;
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
