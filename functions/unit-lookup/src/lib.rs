//! unit-lookup: consumers read units.
//!
//! - `GET /api/v1/units/{hsa-id}`: the stored unit with its version as
//!   `ETag` (304 on a matching `If-None-Match`);
//! - `GET /api/v1/units/{hsa-id}/history[?limit=]`: its versions, oldest
//!   first;
//! - `GET /api/v1/units?name=&municipality=&kind=&care_type=&business_classification=&care_provider=&parent=&status=&updated_since=&limit=&cursor=`:
//!   search through the registry's indexes, paged by cursor with
//!   `Link: rel="next"`;
//! - `GET /api/v1/units/{hsa-id}/children`: the units whose parent it is;
//! - `GET /api/v1/catalogue`: the data catalogue, every record of the
//!   contract with its fields, types and meaning (from `wit/types.wit`);
//! - `GET /api/v1/changes?since=<seq>[&limit=]`: the change feed, so a
//!   consumer keeps an exact copy by polling from its last `next_since`.

use mdm_http_kit::{ApiError, JSON, etag, if_none_match_hits, json, percent_encode, query_pairs};
use mdm_kv_repo::{SpinKv, get_raw, keys};
use mdm_unit_registry::search::{self, Cursor, Query};
use spin_sdk::http::{Method, Request, Response};

const UNITS: &str = "/api/v1/units/";
const SEARCH: &str = "/api/v1/units";
/// Units a search page holds by default.
const SEARCH_DEFAULT: usize = 50;
const CHANGES: &str = "/api/v1/changes";
const CATALOGUE: &str = "/api/v1/catalogue";
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
    if path == CATALOGUE {
        return if get {
            Ok(Response::builder()
                .status(200)
                .header("content-type", JSON)
                .body(mdm_types::CATALOGUE_JSON)
                .build())
        } else {
            Err(not_allowed())
        };
    }
    if path == CHANGES {
        return if get {
            changes(req)
        } else {
            Err(not_allowed())
        };
    }
    if path == SEARCH || path == UNITS {
        return if get {
            search(req, Query::default())
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
        [id, "children"] if !id.is_empty() => {
            if !get {
                return Err(not_allowed());
            }
            check_id(id)?;
            search(
                req,
                Query {
                    parent: Some(id.to_string()),
                    ..Query::default()
                },
            )
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

/// A search page: the fixed criteria of the route plus the query's.
fn search(req: &Request, mut query: Query) -> Result<Response, ApiError> {
    let bad = |detail: String| ApiError::bad_request("invalid-query", detail);
    let (mut limit, mut cursor) = (SEARCH_DEFAULT, None);
    let mut kept: Vec<(String, String)> = Vec::new();
    for (name, value) in query_pairs(req.query()) {
        let slot = match name.as_str() {
            "name" => &mut query.name,
            "municipality" => &mut query.municipality,
            "kind" => &mut query.kind,
            "care_type" => &mut query.care_type,
            "business_classification" => &mut query.business_classification,
            "care_provider" => &mut query.care_provider,
            "parent" if query.parent.is_none() => &mut query.parent,
            "status" => &mut query.status,
            "updated_since" => &mut query.updated_since,
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=search::MAX_LIMIT).contains(n))
                    .ok_or_else(|| bad(format!("limit must be 1 to {}", search::MAX_LIMIT)))?;
                continue;
            }
            "cursor" => {
                cursor = Some(Cursor::decode(&value).ok_or_else(|| {
                    bad("cursor is not one this API gave; start again without it".into())
                })?);
                continue;
            }
            other => {
                return Err(bad(format!(
                    "unknown query parameter {other:?}; use name, municipality, kind, care_type, business_classification, care_provider, parent, status, updated_since, limit, cursor"
                )));
            }
        };
        *slot = Some(value.clone());
        kept.push((name, value));
    }
    if let Some(kind) = &query.kind
        && !["care-provider", "care-unit", "organisational-unit"].contains(&kind.as_str())
    {
        return Err(bad(format!(
            "kind {kind:?} is not care-provider, care-unit or organisational-unit"
        )));
    }
    if let Some(status) = &query.status
        && !["active", "retired"].contains(&status.as_str())
    {
        return Err(bad(format!("status {status:?} is not active or retired")));
    }
    if let Some(since) = &query.updated_since
        && mdm_unit_registry::epoch_seconds(since)
            .or_else(|| mdm_unit_registry::epoch_seconds(&format!("{since}T00:00:00Z")))
            .is_none()
    {
        return Err(bad(format!(
            "updated_since {since:?} is not a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SSZ)"
        )));
    }
    let kv = SpinKv::open_default().map_err(ApiError::store)?;
    let page = search::search(&mut &kv, &query, limit, cursor.as_ref())
        .map_err(ApiError::store)?
        .map_err(|e| bad(e.0))?;

    // The stored documents are the units' JSON as served: the page is put
    // together from them without decoding again.
    let mut body = b"{\"units\":[".to_vec();
    for (i, unit) in page.units.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(unit);
    }
    body.extend_from_slice(b"]");
    let mut response = Response::builder();
    response.status(200).header("content-type", JSON);
    if let Some(next) = &page.next {
        let cursor = next.encode();
        body.extend_from_slice(
            format!(
                ",\"next_cursor\":{}",
                serde_json::Value::from(cursor.clone())
            )
            .as_bytes(),
        );
        let mut link = format!("{}?", req.path());
        for (name, value) in &kept {
            link.push_str(&format!("{name}={}&", percent_encode(value)));
        }
        link.push_str(&format!("limit={limit}&cursor={}", percent_encode(&cursor)));
        response.header("link", format!("<{link}>; rel=\"next\""));
    }
    body.push(b'}');
    Ok(response.body(body).build())
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
