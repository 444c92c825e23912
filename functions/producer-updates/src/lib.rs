//! producer-updates: masterdata producers write region units.
//! `POST /api/v1/producer/units` creates a unit (201 with `Location` and
//! `ETag`, 409 if the HSA-id exists) through a compare-and-swap on the
//! absent key, so two concurrent creates never both win.

mod create;

use mdm_http_kit::ApiError;
use spin_sdk::http::{Method, Request, Response};

const UNITS: &str = "/api/v1/producer/units";

fn handle(req: Request) -> Response {
    let path = req.path().to_string();
    route(&req).unwrap_or_else(|e| e.into_response(Some(&path)))
}

fn route(req: &Request) -> Result<Response, ApiError> {
    match (req.method(), req.path()) {
        (Method::Post, UNITS) => create::create_unit(req),
        (m, UNITS) => Err(ApiError::method_not_allowed(&m.to_string(), UNITS)),
        (_, path) => Err(ApiError::not_found(format!(
            "there is no resource at {path}"
        ))),
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
