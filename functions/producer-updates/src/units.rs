//! Writing units: create, replace (`PUT`), merge-patch (`PATCH`) and retire
//! (`DELETE`). Every write goes through `mdm_unit_registry::commit`: a
//! compare-and-swap on the version read, with history and a change-feed
//! entry.

use mdm_address_register::rule::{Origin, verify_visiting_address};
use mdm_http_kit::{ApiError, Caller, etag, if_match_hits, json, merge_patch, read_json};
use mdm_kv_repo::SpinKv;
use mdm_register_online::{ONLINE_SOURCE, Online};
use mdm_types::{
    Address, AddressVerification, BulkReport, BulkRequest, BulkResult, ChangeKind, Source, Unit,
    UnitInput, UnitStatus, VerifiedAddress,
};
use mdm_unit_registry::Current;
use spin_sdk::http::{Request, Response};

/// `POST /api/v1/producer/units`.
pub fn create(req: &Request) -> Result<Response, ApiError> {
    let caller = caller(req)?;
    let input: UnitInput = read_json(req)?;
    let unit = create_one(&store()?, &caller, input)?;
    let mut response = json(201, &unit)?;
    response.set_header("location", format!("/api/v1/units/{}", unit.hsa_id));
    response.set_header("etag", etag(unit.version));
    Ok(response)
}

fn create_one(kv: &SpinKv, caller: &Caller, input: UnitInput) -> Result<Unit, ApiError> {
    check(&input)?;
    authorize(caller, &input.care_provider, &input.organisation_number)?;
    if input.ownership != mdm_types::Ownership::Region {
        return Err(invalid(
            "ownership",
            "units created here are the region's own; private providers' units come from Ek".into(),
        ));
    }
    let now = mdm_http_kit::now_rfc3339();
    let visiting_address = input
        .visiting_address
        .as_ref()
        .map(|address| verify_address(kv, address, None, &now))
        .transpose()?;
    let hsa_id = input.hsa_id.clone();
    let unit = build(input, visiting_address, None, &now, &caller.subject);
    mdm_unit_registry::commit(&mut &*kv, None, unit, ChangeKind::Created, &now)
        .map_err(ApiError::store)?
        .map_err(|_| exists(&hsa_id))
}

/// `POST /api/v1/producer/units/bulk`: many units, each written on its own
/// (created, or replaced when it carries `if_match`), with a result per unit.
pub fn bulk(req: &Request) -> Result<Response, ApiError> {
    let caller = caller(req)?;
    let request: BulkRequest = read_json(req)?;
    if request.units.is_empty() || request.units.len() > MAX_BULK {
        return Err(ApiError::new(
            422,
            "invalid-request",
            format!("send 1 to {MAX_BULK} units per bulk request"),
        ));
    }
    let kv = store()?;
    let mut report = BulkReport {
        applied: 0,
        refused: 0,
        results: Vec::with_capacity(request.units.len()),
    };
    for item in request.units {
        let hsa_id = item.unit.hsa_id.clone();
        let outcome = match &item.if_match {
            None => create_one(&kv, &caller, item.unit).map(|u| (201, u)),
            Some(tag) => {
                let unit = item.unit;
                update_one(&kv, &caller, &hsa_id, Some(tag), |_| Ok(unit)).map(|u| (200, u))
            }
        };
        report.results.push(match outcome {
            Ok((status, unit)) => {
                report.applied += 1;
                BulkResult {
                    hsa_id,
                    status,
                    version: Some(unit.version),
                    problem: None,
                }
            }
            Err(error) if error.status >= 500 => return Err(error),
            Err(error) => {
                report.refused += 1;
                BulkResult {
                    hsa_id,
                    status: error.status,
                    version: None,
                    problem: Some(error.problem(None)),
                }
            }
        });
    }
    json(200, &report)
}

/// Units one bulk request may carry: enough for a batch job, small enough to
/// finish well within a request's deadline.
const MAX_BULK: usize = 100;

fn exists(hsa_id: &str) -> ApiError {
    ApiError::new(
        409,
        "unit-exists",
        format!("a unit with HSA-id {hsa_id} already exists; change it with PUT or PATCH instead"),
    )
}

/// `PUT /api/v1/producer/units/{hsa-id}`: the whole client-settable unit.
pub fn replace(req: &Request, hsa_id: &str) -> Result<Response, ApiError> {
    let caller = caller(req)?;
    let input: UnitInput = read_json(req)?;
    update(req, &caller, hsa_id, |_| Ok(input))
}

/// `PATCH /api/v1/producer/units/{hsa-id}`: a JSON merge patch (RFC 7386)
/// over the unit's client-settable fields.
pub fn patch(req: &Request, hsa_id: &str) -> Result<Response, ApiError> {
    let caller = caller(req)?;
    let media_type = mdm_http_kit::media_type(req);
    if media_type.as_deref() != Some("application/merge-patch+json") {
        return Err(ApiError::new(
            415,
            "unsupported-media-type",
            "send a PATCH body as application/merge-patch+json (RFC 7386)",
        ));
    }
    let patch: serde_json::Value = serde_json::from_slice(req.body()).map_err(|e| {
        ApiError::bad_request("malformed-body", format!("the JSON body is not valid: {e}"))
    })?;
    if !patch.is_object() {
        return Err(ApiError::bad_request(
            "malformed-body",
            "a merge patch is a JSON object of the fields to change",
        ));
    }
    update(req, &caller, hsa_id, |current| {
        let mut document = serde_json::to_value(input_of(current))
            .map_err(|e| ApiError::new(500, "internal", e.to_string()))?;
        merge_patch(&mut document, &patch);
        serde_json::from_value(document).map_err(|e| {
            ApiError::new(
                422,
                "invalid-unit",
                format!("the patched unit is not valid: {e}"),
            )
        })
    })
}

/// `DELETE /api/v1/producer/units/{hsa-id}`: the unit is retired, never
/// erased; its history stays.
pub fn retire(req: &Request, hsa_id: &str) -> Result<Response, ApiError> {
    let caller = caller(req)?;
    let kv = store()?;
    let if_match = req.header("if-match").and_then(|v| v.as_str());
    let current = precondition(if_match, &kv, hsa_id)?;
    authorize(
        &caller,
        &current.unit.care_provider,
        &current.unit.organisation_number,
    )?;
    if current.unit.status == UnitStatus::Retired {
        return Err(ApiError::new(
            409,
            "unit-retired",
            format!("unit {hsa_id} is already retired"),
        ));
    }
    let now = mdm_http_kit::now_rfc3339();
    let mut next = current.unit.clone();
    next.status = UnitStatus::Retired;
    next.updated_at = now.clone();
    next.updated_by = caller.subject.clone();
    let unit = save(&kv, &current, next, ChangeKind::Retired, &now)?;
    let mut response = json(200, &unit)?;
    response.set_header("etag", etag(unit.version));
    Ok(response)
}

fn update(
    req: &Request,
    caller: &Caller,
    hsa_id: &str,
    input_for: impl FnOnce(&Unit) -> Result<UnitInput, ApiError>,
) -> Result<Response, ApiError> {
    let if_match = req.header("if-match").and_then(|v| v.as_str());
    let unit = update_one(&store()?, caller, hsa_id, if_match, input_for)?;
    let mut response = json(200, &unit)?;
    response.set_header("etag", etag(unit.version));
    Ok(response)
}

fn update_one(
    kv: &SpinKv,
    caller: &Caller,
    hsa_id: &str,
    if_match: Option<&str>,
    input_for: impl FnOnce(&Unit) -> Result<UnitInput, ApiError>,
) -> Result<Unit, ApiError> {
    let current = precondition(if_match, kv, hsa_id)?;
    authorize(
        caller,
        &current.unit.care_provider,
        &current.unit.organisation_number,
    )?;
    if current.unit.status == UnitStatus::Retired {
        return Err(ApiError::new(
            409,
            "unit-retired",
            format!("unit {hsa_id} is retired; retired units are kept as they were"),
        ));
    }
    let input = input_for(&current.unit)?;
    if input.hsa_id != hsa_id {
        return Err(invalid(
            "hsa_id",
            format!(
                "{:?} differs from the unit in the path, {hsa_id}; the HSA-id of a unit never changes",
                input.hsa_id
            ),
        ));
    }
    check(&input)?;
    // Moving a unit to another care provider needs the right to both.
    authorize(caller, &input.care_provider, &input.organisation_number)?;
    if input.ownership != current.unit.ownership {
        return Err(invalid(
            "ownership",
            "the ownership of a unit does not change".into(),
        ));
    }
    let now = mdm_http_kit::now_rfc3339();
    let visiting_address = input
        .visiting_address
        .as_ref()
        .map(|address| verify_address(kv, address, current.unit.visiting_address.as_ref(), &now))
        .transpose()?;
    let next = build(
        input,
        visiting_address,
        Some(&current.unit),
        &now,
        &caller.subject,
    );
    save(kv, &current, next, ChangeKind::Updated, &now)
}

fn save(
    kv: &SpinKv,
    current: &Current,
    next: Unit,
    kind: ChangeKind,
    now: &str,
) -> Result<Unit, ApiError> {
    mdm_unit_registry::commit(&mut &*kv, Some(current), next, kind, now)
        .map_err(ApiError::store)?
        .map_err(|_| stale(&current.unit.hsa_id))
}

fn stale(hsa_id: &str) -> ApiError {
    ApiError::new(
        412,
        "precondition-failed",
        format!(
            "unit {hsa_id} was changed by someone else; GET it again and apply your change to the new version"
        ),
    )
}

/// `If-Match` is required on every change of an existing unit: without it
/// a writer would overwrite changes it never saw.
fn precondition(if_match: Option<&str>, kv: &SpinKv, hsa_id: &str) -> Result<Current, ApiError> {
    mdm_identifiers::check_hsa_id(hsa_id).map_err(|e| {
        ApiError::bad_request(
            "invalid-hsa-id",
            format!("{hsa_id:?} is not an HSA-id: {e}"),
        )
    })?;
    let if_match = if_match.ok_or_else(|| {
        ApiError::new(
            428,
            "precondition-required",
            "send If-Match with the ETag of the version you changed (GET the unit for it)",
        )
    })?;
    let current = mdm_unit_registry::read(&mut &*kv, hsa_id)
        .map_err(ApiError::store)?
        .ok_or_else(|| ApiError::not_found(format!("there is no unit with HSA-id {hsa_id}")))?;
    if !if_match_hits(if_match, current.unit.version) {
        return Err(stale(hsa_id));
    }
    Ok(current)
}

fn caller(req: &Request) -> Result<Caller, ApiError> {
    let caller = Caller::from_request(req).ok_or_else(|| {
        ApiError::new(
            401,
            "unauthenticated",
            "writes need a verified identity: call through the gateway",
        )
    })?;
    if !caller.has_role("producer") {
        return Err(ApiError::new(
            403,
            "forbidden",
            "only region masterdata producers write units here; private providers' units are fetched from Ek",
        ));
    }
    Ok(caller)
}

fn store() -> Result<SpinKv, ApiError> {
    SpinKv::open_default().map_err(ApiError::store)
}

/// Object-level rule: a producer writes only units of the care providers it
/// acts for (by HSA-id or organisation number).
fn authorize(
    caller: &Caller,
    care_provider: &str,
    organisation_number: &str,
) -> Result<(), ApiError> {
    let number = organisation_number.replace('-', "");
    if caller.acts_for(care_provider) || caller.acts_for(&number) {
        return Ok(());
    }
    Err(ApiError::new(
        403,
        "forbidden",
        format!(
            "you act for {}, not for care provider {care_provider}; only its own producers may write its units",
            if caller.organisations.is_empty() {
                "no organisation".to_string()
            } else {
                caller.organisations.join(", ")
            }
        ),
    ))
}

fn invalid(field: &str, why: String) -> ApiError {
    ApiError::new(422, "invalid-unit", format!("{field}: {why}"))
}

/// Field rules a producer's input must meet; the first broken rule is
/// reported with the field's JSON name.
fn check(input: &UnitInput) -> Result<(), ApiError> {
    for (field, id) in [
        ("hsa_id", Some(&input.hsa_id)),
        ("care_provider", Some(&input.care_provider)),
        ("parent", input.parent.as_ref()),
    ] {
        if let Some(id) = id {
            mdm_identifiers::check_hsa_id(id)
                .map_err(|e| invalid(field, format!("{id:?} is not an HSA-id: {e}")))?;
        }
    }
    let name_len = input.name.trim().chars().count();
    if name_len == 0 || name_len > 64 {
        return Err(invalid("name", "must be 1 to 64 characters".into()));
    }
    if !mdm_identifiers::is_valid_organisation_number(&input.organisation_number) {
        return Err(invalid(
            "organisation_number",
            format!(
                "{:?} is not a valid organisation number (10 digits, last one a check digit)",
                input.organisation_number
            ),
        ));
    }
    Ok(())
}

/// The rule at write time: a visiting address enters MDM only as a place of
/// Lantmäteriet's register, in the register's spelling, with its evidence.
/// An address equal to the one already verified keeps its verification.
fn verify_address(
    kv: &SpinKv,
    address: &Address,
    existing: Option<&VerifiedAddress>,
    now: &str,
) -> Result<VerifiedAddress, ApiError> {
    if let Some(existing) = existing
        && existing.address == *address
    {
        return Ok(existing.clone());
    }
    let refusal = match verify_visiting_address(&mut &*kv, address, Origin::Producer, now)
        .map_err(ApiError::store)?
    {
        Ok(verified) => return Ok(verified),
        Err(refusal) => refusal,
    };
    if refusal.kind == "unknown-address"
        && let Some(online) = Online::configured()
        && let Some(query) = &refusal.normalised
        && let Some((address, register_id)) = online.confirm(query)
    {
        return Ok(VerifiedAddress {
            address,
            verification: AddressVerification {
                register_id,
                source: ONLINE_SOURCE.into(),
                verified_at: now.into(),
            },
        });
    }
    Err(ApiError::new(422, refusal.kind, refusal.detail).with("suggestions", refusal.suggestions))
}

/// The client-settable part of a stored unit.
fn input_of(unit: &Unit) -> UnitInput {
    UnitInput {
        hsa_id: unit.hsa_id.clone(),
        name: unit.name.clone(),
        kind: unit.kind,
        parent: unit.parent.clone(),
        care_provider: unit.care_provider.clone(),
        organisation_number: unit.organisation_number.clone(),
        ownership: unit.ownership,
        visiting_address: unit.visiting_address.as_ref().map(|v| v.address.clone()),
        postal_address: unit.postal_address.clone(),
        contact: unit.contact.clone(),
        business_classification_codes: unit.business_classification_codes.clone(),
        care_types: unit.care_types.clone(),
        business_type: unit.business_type.clone(),
        municipality_code: unit.municipality_code.clone(),
        county_code: unit.county_code.clone(),
        valid_from: unit.valid_from.clone(),
        valid_to: unit.valid_to.clone(),
    }
}

/// The unit to store: the input's fields, server-owned fields kept from
/// `current` (or set for a new unit). Version and change sequence are set by
/// the registry.
fn build(
    input: UnitInput,
    visiting_address: Option<VerifiedAddress>,
    current: Option<&Unit>,
    now: &str,
    by: &str,
) -> Unit {
    Unit {
        hsa_id: input.hsa_id,
        name: input.name.trim().to_string(),
        kind: input.kind,
        parent: input.parent,
        care_provider: input.care_provider,
        organisation_number: input.organisation_number.replace('-', ""),
        ownership: input.ownership,
        source: current.map_or(Source::Mdm, |c| c.source),
        status: current.map_or(UnitStatus::Active, |c| c.status),
        visiting_address,
        postal_address: input.postal_address,
        contact: input.contact,
        business_classification_codes: input.business_classification_codes,
        care_types: input.care_types,
        business_type: input.business_type,
        municipality_code: input.municipality_code,
        county_code: input.county_code,
        valid_from: input.valid_from,
        valid_to: input.valid_to,
        version: 0,
        created_at: current.map_or_else(|| now.to_string(), |c| c.created_at.clone()),
        created_by: current.map_or_else(|| by.to_string(), |c| c.created_by.clone()),
        updated_at: now.to_string(),
        updated_by: by.to_string(),
        change_seq: None,
    }
}
