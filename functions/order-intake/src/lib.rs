//! order-intake: orders for integrations. `GET /api/v1/orders/{id}` returns a
//! stored order; `GET /api/v1/integrations/{id}/usage` the metered use of an
//! integration (see [`usage`]).

mod usage;

use mdm_http_kit::{ApiError, etag, json};
use mdm_kv_repo::{SpinKv, get_json, keys};
use mdm_types::Order;
use spin_sdk::http::{Method, Request, Response};

const ORDERS: &str = "/api/v1/orders/";
const INTEGRATIONS: &str = "/api/v1/integrations/";

fn handle(req: Request) -> Response {
    let path = req.path().to_string();
    route(&req).unwrap_or_else(|e| e.into_response(Some(&path)))
}

fn route(req: &Request) -> Result<Response, ApiError> {
    let path = req.path();
    if let Some(rest) = path.strip_prefix(INTEGRATIONS) {
        return match (req.method(), rest.split_once('/')) {
            (Method::Get, Some((id, "usage"))) => usage::usage(id, req.query()),
            (m, Some((_, "usage"))) => Err(ApiError::method_not_allowed(&m.to_string(), path)),
            _ => Err(ApiError::not_found(format!(
                "there is no resource at {path}"
            ))),
        };
    }
    match (req.method(), path.strip_prefix(ORDERS)) {
        (Method::Get, Some(id)) if is_order_id(id) => get_order(id),
        (Method::Get, Some(id)) if !id.is_empty() => Err(ApiError::bad_request(
            "invalid-order-id",
            format!("{id:?} is not an order id (letters, digits and '-', at most 64)"),
        )),
        (m, Some(id)) if !id.is_empty() => Err(ApiError::method_not_allowed(&m.to_string(), path)),
        _ => Err(ApiError::not_found(format!(
            "there is no resource at {path}"
        ))),
    }
}

fn is_order_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn get_order(id: &str) -> Result<Response, ApiError> {
    let kv = SpinKv::open_default().map_err(ApiError::store)?;
    let order: Order = get_json(&kv, &keys::order(id))
        .map_err(ApiError::store)?
        .ok_or_else(|| ApiError::not_found(format!("there is no order {id}")))?;
    let mut response = json(200, &order)?;
    response.set_header("etag", etag(order.version));
    Ok(response)
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
