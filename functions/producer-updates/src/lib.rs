//! producer-updates: masterdata producers write region units.
//!
//! - `POST /api/v1/producer/units` creates (201, `Location`, `ETag`; 409 if
//!   the HSA-id exists);
//! - `PUT /api/v1/producer/units/{hsa-id}` replaces the client-settable
//!   fields, `PATCH` merges a JSON merge patch, `DELETE` retires; all three
//!   need `If-Match` (428 without, 412 on a stale version);
//! - `POST /api/v1/producer/units/bulk` writes up to 100 units, each on its
//!   own, with a result per unit;
//! - any of them with `Idempotency-Key` runs once.
//!
//! Every write is a compare-and-swap on the unit's version through
//! `mdm-unit-registry`, which also keeps the history and the change feed.

mod idempotency;
mod units;

use mdm_http_kit::ApiError;
use spin_sdk::http::{Method, Request, Response};

const UNITS: &str = "/api/v1/producer/units";
const BULK: &str = "/api/v1/producer/units/bulk";

fn handle(req: Request) -> Response {
    let path = req.path().to_string();
    route(&req).unwrap_or_else(|e| e.into_response(Some(&path)))
}

fn route(req: &Request) -> Result<Response, ApiError> {
    let path = req.path();
    if path == UNITS {
        return match req.method() {
            Method::Post => idempotency::once(req, units::create),
            m => Err(ApiError::method_not_allowed(&m.to_string(), UNITS)),
        };
    }
    if path == BULK {
        return match req.method() {
            Method::Post => idempotency::once(req, units::bulk),
            m => Err(ApiError::method_not_allowed(&m.to_string(), path)),
        };
    }
    let Some(hsa_id) = path
        .strip_prefix(UNITS)
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|id| !id.is_empty() && !id.contains('/'))
    else {
        return Err(ApiError::not_found(format!(
            "there is no resource at {path}"
        )));
    };
    match req.method() {
        Method::Put => idempotency::once(req, |r| units::replace(r, hsa_id)),
        Method::Patch => idempotency::once(req, |r| units::patch(r, hsa_id)),
        Method::Delete => idempotency::once(req, |r| units::retire(r, hsa_id)),
        m => Err(ApiError::method_not_allowed(&m.to_string(), path)),
    }
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
