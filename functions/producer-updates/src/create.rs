//! Creating a unit from a producer's `unit-input`.

use mdm_address_normalise::Parts;
use mdm_address_register::rule::{Origin, verify_visiting_address};
use mdm_http_kit::{ApiError, Caller, etag, json, read_json};
use mdm_kv_repo::{Inserted, SpinKv, insert_new_json, keys};
use mdm_register_online::{ONLINE_SOURCE, Online};
use mdm_types::{
    Address, AddressVerification, Source, Unit, UnitInput, UnitStatus, VerifiedAddress,
};
use spin_sdk::http::{Request, Response};

pub fn create_unit(req: &Request) -> Result<Response, ApiError> {
    let caller = Caller::from_request(req).ok_or_else(|| {
        ApiError::new(
            401,
            "unauthenticated",
            "writes need a verified identity: call through the gateway",
        )
    })?;
    let input: UnitInput = read_json(req)?;
    check(&input)?;
    authorize(&caller, &input)?;
    let now = mdm_http_kit::now_rfc3339();
    let kv = SpinKv::open_default().map_err(ApiError::store)?;
    let visiting_address = input
        .visiting_address
        .as_ref()
        .map(|address| verify_address(&kv, address, &now))
        .transpose()?;
    let unit = new_unit(input, visiting_address, &now, &caller.subject);

    match insert_new_json(&kv, &keys::unit(&unit.hsa_id), &unit).map_err(ApiError::store)? {
        Inserted::AlreadyExists => Err(ApiError::new(
            409,
            "unit-exists",
            format!(
                "a unit with HSA-id {} already exists; change it with PUT or PATCH instead",
                unit.hsa_id
            ),
        )),
        Inserted::Created => {
            let mut response = json(201, &unit)?;
            response.set_header("location", format!("/api/v1/units/{}", unit.hsa_id));
            response.set_header("etag", etag(unit.version));
            Ok(response)
        }
    }
}

/// Object-level rule: a region producer writes only region units of the care
/// providers it acts for (by HSA-id or organisation number). Private
/// providers' units come from Ek, not from here.
fn authorize(caller: &Caller, input: &UnitInput) -> Result<(), ApiError> {
    if !caller.has_role("producer") {
        return Err(ApiError::new(
            403,
            "forbidden",
            "only region masterdata producers create units here; private providers' units are fetched from Ek",
        ));
    }
    if input.ownership != mdm_types::Ownership::Region {
        return Err(ApiError::new(
            422,
            "invalid-unit",
            "ownership: units created here are the region's own; private providers' units come from Ek",
        ));
    }
    let number = input.organisation_number.replace('-', "");
    if !(caller.acts_for(&input.care_provider) || caller.acts_for(&number)) {
        return Err(ApiError::new(
            403,
            "forbidden",
            format!(
                "you act for {}, not for care provider {}; only its own producers may create its units",
                if caller.organisations.is_empty() {
                    "no organisation".to_string()
                } else {
                    caller.organisations.join(", ")
                },
                input.care_provider
            ),
        ));
    }
    Ok(())
}

/// Field rules a producer's input must meet; the first broken rule is
/// reported with the field's JSON name.
fn check(input: &UnitInput) -> Result<(), ApiError> {
    let invalid =
        |field: &str, why: String| ApiError::new(422, "invalid-unit", format!("{field}: {why}"));
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
fn verify_address(kv: &SpinKv, address: &Address, now: &str) -> Result<VerifiedAddress, ApiError> {
    let refusal = match verify_visiting_address(&mut &*kv, address, Origin::Producer, now)
        .map_err(ApiError::store)?
    {
        Ok(verified) => return Ok(verified),
        Err(refusal) => refusal,
    };
    if refusal.kind == "unknown-address"
        && let Some(online) = Online::configured()
        && let Ok(query) = mdm_address_normalise::normalise_parts(&Parts {
            street: &address.street,
            number: address.number.as_deref(),
            letter: address.letter.as_deref(),
            postal_code: Some(&address.postal_code),
            post_town: Some(&address.post_town),
        })
        && let Some((address, register_id)) = online.confirm(&query)
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

fn new_unit(
    input: UnitInput,
    visiting_address: Option<VerifiedAddress>,
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
        source: Source::Mdm,
        status: UnitStatus::Active,
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
        version: 1,
        created_at: now.to_string(),
        created_by: by.to_string(),
        updated_at: now.to_string(),
        updated_by: by.to_string(),
    }
}
