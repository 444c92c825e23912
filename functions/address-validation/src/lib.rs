//! address-validation: the copy of Lantmäteriet's address register.
//! `GET /api/v1/address-register/places/{objektidentitet}` returns one stored
//! address place.

use mdm_http_kit::{ApiError, json};
use mdm_kv_repo::{SpinKv, get_json, keys};
use mdm_types::AddressPlace;
use spin_sdk::http::{Method, Request, Response};

const PLACES: &str = "/api/v1/address-register/places/";

fn handle(req: Request) -> Response {
    let path = req.path().to_string();
    route(&req).unwrap_or_else(|e| e.into_response(Some(&path)))
}

fn route(req: &Request) -> Result<Response, ApiError> {
    let path = req.path();
    match (req.method(), path.strip_prefix(PLACES)) {
        (Method::Get, Some(id)) if !id.is_empty() => get_place(id),
        (m, Some(_)) => Err(ApiError::method_not_allowed(&m.to_string(), path)),
        _ => Err(ApiError::not_found(format!(
            "there is no resource at {path}"
        ))),
    }
}

/// Lantmäteriet's `objektidentitet` is a UUID: 8-4-4-4-12 hex digits.
fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn get_place(id: &str) -> Result<Response, ApiError> {
    if !is_uuid(id) {
        return Err(ApiError::bad_request(
            "invalid-register-id",
            format!(
                "{id:?} is not an objektidentitet (a UUID such as 6f1c0e3a-3b7e-4c55-9d0e-2a4b1c9e7f10)"
            ),
        ));
    }
    let kv = SpinKv::open_default().map_err(ApiError::store)?;
    let place: AddressPlace = get_json(&kv, &keys::address_place(&id.to_ascii_lowercase()))
        .map_err(ApiError::store)?
        .ok_or_else(|| {
            ApiError::not_found(format!("there is no address place {id} in the register"))
        })?;
    json(200, &place)
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
