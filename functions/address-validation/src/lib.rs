//! address-validation: our copy of Lantmäteriet's address register.
//!
//! - `POST /api/v1/addresses/validate`: is this address in the register?
//! - `GET /api/v1/addresses?postal_code=&street=&limit=`: streets and their
//!   numbers, for look-up and autocomplete;
//! - `GET /api/v1/address-register/places/{objektidentitet}`: one place;
//! - `POST /api/v1/address-register/import` (platform-admin): address
//!   places in the line format of [`mdm_address_register::line_format`].
//!
//! The logic is in `mdm-address-register`; this crate is the HTTP surface.

use mdm_address_normalise::Normalised;
use mdm_address_register::line_format::{self, Format, Incoming, LineError};
use mdm_address_register::{import, validate};
use mdm_http_kit::{ApiError, Caller, json, query_pairs, read_json};
use mdm_kv_repo::{SpinKv, get_json, keys};
use mdm_register_online::Online;
use mdm_types::{
    AddressPlace, ImportLineError, ImportReport, ValidationOutcome, ValidationRequest,
    ValidationResult,
};
use spin_sdk::http::{Method, Request, Response};

const PLACES: &str = "/api/v1/address-register/places/";
const IMPORT: &str = "/api/v1/address-register/import";
const VALIDATE: &str = "/api/v1/addresses/validate";
const ADDRESSES: &str = "/api/v1/addresses";

/// Lines one import request may carry: a batch small enough to finish well
/// within the request deadline. Bigger files go in several requests, or
/// through `mdm-host import-addresses`.
const MAX_IMPORT_LINES: usize = 10_000;
/// Line errors listed in a report; the rest are counted.
const MAX_LISTED_ERRORS: usize = 100;
/// Streets listed by default and at most.
const DEFAULT_LISTED: usize = 10;
const MAX_LISTED: usize = 50;

fn handle(req: Request) -> Response {
    let path = req.path().to_string();
    route(&req).unwrap_or_else(|e| e.into_response(Some(&path)))
}

fn route(req: &Request) -> Result<Response, ApiError> {
    let path = req.path();
    let method = req.method();
    match path {
        VALIDATE => match method {
            Method::Post => validate_address(req),
            m => Err(ApiError::method_not_allowed(&m.to_string(), path)),
        },
        ADDRESSES => match method {
            Method::Get => list_streets(req),
            m => Err(ApiError::method_not_allowed(&m.to_string(), path)),
        },
        IMPORT => match method {
            Method::Post => import_places(req),
            m => Err(ApiError::method_not_allowed(&m.to_string(), path)),
        },
        _ => match (method, path.strip_prefix(PLACES)) {
            (Method::Get, Some(id)) if !id.is_empty() => get_place(id),
            (m, Some(_)) => Err(ApiError::method_not_allowed(&m.to_string(), path)),
            _ => Err(ApiError::not_found(format!(
                "there is no resource at {path}"
            ))),
        },
    }
}

fn store() -> Result<SpinKv, ApiError> {
    SpinKv::open_default().map_err(ApiError::store)
}

fn validate_address(req: &Request) -> Result<Response, ApiError> {
    let request: ValidationRequest = read_json(req)?;
    let kv = store()?;
    let mut result = validate::validate(&mut &kv, &request)
        .map_err(ApiError::store)?
        .map_err(|e| ApiError::new(422, "invalid-request", e.0))?;
    if result.outcome == ValidationOutcome::Unknown
        && let Some(online) = Online::configured()
        && let Some(query) = normalised(&result)
        && let Some((address, register_id)) = online.confirm(&query)
    {
        // Our copy is refreshed weekly from the bulk file; the online
        // register may already know a new address.
        result.outcome = ValidationOutcome::Valid;
        result.message = format!(
            "{} is an address place in Lantmäteriet's online register (not yet in our copy)",
            mdm_address_register::display(&address)
        );
        result.address = Some(address);
        result.register_id = Some(register_id);
        result.suggestions.clear();
    }
    json(200, &result)
}

/// The normalised query a result was answered for.
fn normalised(result: &ValidationResult) -> Option<Normalised> {
    let query = result.normalised.as_ref()?;
    Some(Normalised {
        street: query.street.clone()?,
        number: query.number.clone(),
        letter: query.letter.clone(),
        postal_code: query.postal_code.clone(),
        post_town: query.post_town.clone(),
        apartment: result.apartment.clone(),
    })
}

fn list_streets(req: &Request) -> Result<Response, ApiError> {
    let (mut postal_code, mut street, mut limit) = (None, None, DEFAULT_LISTED);
    for (name, value) in query_pairs(req.query()) {
        match name.as_str() {
            "postal_code" => {
                postal_code = Some(mdm_address_normalise::postal_code(&value).map_err(|e| {
                    ApiError::bad_request("invalid-query", format!("postal_code: {}", e.message))
                })?)
            }
            "street" if !value.trim().is_empty() => street = Some(value),
            "street" => {}
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_LISTED).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad_request(
                            "invalid-query",
                            format!("limit {value:?} is not a number from 1 to {MAX_LISTED}"),
                        )
                    })?
            }
            other => {
                return Err(ApiError::bad_request(
                    "invalid-query",
                    format!("unknown query parameter {other:?}; use postal_code, street and limit"),
                ));
            }
        }
    }
    if postal_code.is_none() && street.is_none() {
        return Err(ApiError::bad_request(
            "invalid-query",
            "give postal_code (and optionally the start of a street name), or a whole street name",
        ));
    }
    let kv = store()?;
    let streets =
        validate::list_streets(&mut &kv, postal_code.as_deref(), street.as_deref(), limit)
            .map_err(ApiError::store)?;
    json(200, &streets)
}

fn get_place(id: &str) -> Result<Response, ApiError> {
    if !line_format::is_uuid(id) {
        return Err(ApiError::bad_request(
            "invalid-register-id",
            format!(
                "{id:?} is not an objektidentitet (a UUID such as 6f1c0e3a-3b7e-4c55-9d0e-2a4b1c9e7f10)"
            ),
        ));
    }
    let kv = store()?;
    let place: AddressPlace = get_json(&kv, &keys::address_place(&id.to_ascii_lowercase()))
        .map_err(ApiError::store)?
        .ok_or_else(|| {
            ApiError::not_found(format!("there is no address place {id} in the register"))
        })?;
    json(200, &place)
}

fn import_places(req: &Request) -> Result<Response, ApiError> {
    let caller = Caller::from_request(req).ok_or_else(|| {
        ApiError::new(
            401,
            "unauthenticated",
            "imports need a verified identity: call through the gateway",
        )
    })?;
    if !caller.has_role("platform-admin") {
        return Err(ApiError::new(
            403,
            "forbidden",
            "only the platform team (platform-admin) imports the address register",
        ));
    }
    let media_type = req
        .header("content-type")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let format = Format::from_media_type(media_type).ok_or_else(|| {
        ApiError::new(
            415,
            "unsupported-media-type",
            "send address places as application/x-ndjson (one JSON object per line) or text/csv (with a header row)",
        )
    })?;
    let lines = line_format::parse(req.body(), format)
        .map_err(|e| ApiError::bad_request("malformed-body", e.0))?;
    if lines.len() > MAX_IMPORT_LINES {
        return Err(ApiError::new(
            413,
            "too-many-lines",
            format!(
                "this request has {} address places; send at most {MAX_IMPORT_LINES} per request, or load whole files with `mdm-host import-addresses`",
                lines.len()
            ),
        ));
    }
    let received = lines.len();
    let (places, mut errors): (Vec<Incoming>, Vec<LineError>) =
        lines
            .into_iter()
            .fold((Vec::new(), Vec::new()), |(mut ok, mut bad), line| {
                match line {
                    Ok(place) => ok.push(place),
                    Err(error) => bad.push(error),
                }
                (ok, bad)
            });
    let kv = store()?;
    let tally = import::apply(&mut &kv, places).map_err(ApiError::store)?;
    errors.extend(tally.errors);
    errors.sort_by_key(|e| e.line);
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let report = ImportReport {
        received: count(received),
        created: tally.created,
        updated: tally.updated,
        unchanged: tally.unchanged,
        removed: tally.removed,
        rejected: count(errors.len()),
        errors: errors
            .into_iter()
            .take(MAX_LISTED_ERRORS)
            .map(|e| ImportLineError {
                line: e.line,
                message: e.message,
            })
            .collect(),
    };
    json(200, &report)
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
