//! Tests of the generated JSON contract.

use serde_json::{Value, json};

use super::*;

fn full_unit() -> Unit {
    let address = Address {
        street: "Sveavägen".into(),
        number: Some("12".into()),
        letter: Some("B".into()),
        postal_code: "111 57".into(),
        post_town: "Stockholm".into(),
        municipality_code: Some("0180".into()),
    };
    Unit {
        hsa_id: "SE2321000016-15CQ".into(),
        name: "Vårdcentralen Sveavägen".into(),
        kind: UnitKind::CareUnit,
        parent: Some("SE2321000016-0001".into()),
        care_provider: "SE2321000016-0001".into(),
        organisation_number: "2321000016".into(),
        ownership: Ownership::Region,
        source: Source::Mdm,
        status: UnitStatus::Active,
        visiting_address: Some(VerifiedAddress {
            address: address.clone(),
            verification: AddressVerification {
                register_id: "b3e1c1a0-0000-4000-8000-000000000001".into(),
                source: "lantmateriet-bulk".into(),
                verified_at: "2026-12-04T10:15:00Z".into(),
            },
        }),
        postal_address: Some(Address {
            number: None,
            letter: None,
            ..address
        }),
        contact: Some(Contact {
            phone: Some("+46 8 123 45 67".into()),
            email: Some("info@example.se".into()),
            web: None,
        }),
        business_classification_codes: vec!["1001".into(), "1050".into()],
        care_types: vec!["01".into()],
        business_type: Some("02".into()),
        municipality_code: Some("0180".into()),
        county_code: Some("01".into()),
        valid_from: Some("2026-01-01".into()),
        valid_to: Some("2030-12-31".into()),
        version: 3,
        created_at: "2026-01-01T08:00:00Z".into(),
        created_by: "producer-a".into(),
        updated_at: "2026-12-04T10:15:00Z".into(),
        updated_by: "producer-b".into(),
        change_seq: Some(7),
    }
}

/// The required fields of a unit, and nothing else.
fn minimal_unit_json() -> Value {
    json!({
        "hsa_id": "SE2321000016-15CQ",
        "name": "Vårdgivaren",
        "kind": "care-provider",
        "care_provider": "SE2321000016-15CQ",
        "organisation_number": "2321000016",
        "ownership": "private",
        "source": "ek",
        "status": "retired",
        "version": 1,
        "created_at": "2026-01-01T08:00:00Z",
        "created_by": "ek-sync",
        "updated_at": "2026-01-01T08:00:00Z",
        "updated_by": "ek-sync",
    })
}

#[test]
fn full_unit_round_trips_through_json() {
    let unit = full_unit();
    let text = serde_json::to_string(&unit).unwrap();
    let back: Unit = serde_json::from_str(&text).unwrap();
    assert_eq!(back, unit);

    let value = serde_json::to_value(&unit).unwrap();
    assert_eq!(value["hsa_id"], "SE2321000016-15CQ");
    assert_eq!(value["kind"], "care-unit");
    assert_eq!(
        value["visiting_address"]["address"]["postal_code"],
        "111 57"
    );
    assert_eq!(
        value["visiting_address"]["verification"]["verified_at"],
        "2026-12-04T10:15:00Z"
    );
    assert_eq!(
        value["business_classification_codes"],
        json!(["1001", "1050"])
    );
    // `None` options are left out.
    assert!(value["contact"].get("web").is_none());
    assert!(value["postal_address"].get("number").is_none());
}

#[test]
fn unknown_field_is_rejected_naming_it() {
    let mut value = minimal_unit_json();
    value["colour"] = json!("blue");
    let error = serde_json::from_value::<Unit>(value)
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown field `colour`"), "{error}");

    let error = serde_json::from_value::<Address>(json!({
        "street": "Sveavägen",
        "postal_code": "111 57",
        "post_town": "Stockholm",
        "postalCode": "111 57",
    }))
    .unwrap_err()
    .to_string();
    assert!(error.contains("unknown field `postalCode`"), "{error}");
}

#[test]
fn absent_options_and_lists_deserialize() {
    let unit: Unit = serde_json::from_value(minimal_unit_json()).unwrap();
    assert_eq!(unit.kind, UnitKind::CareProvider);
    assert_eq!(unit.parent, None);
    assert_eq!(unit.visiting_address, None);
    assert_eq!(unit.contact, None);
    assert!(unit.business_classification_codes.is_empty());
    assert!(unit.care_types.is_empty());

    // Empty lists are still serialized; absent options are not.
    let value = serde_json::to_value(&unit).unwrap();
    assert_eq!(value["care_types"], json!([]));
    assert!(value.get("parent").is_none());
}

#[test]
fn missing_required_field_is_rejected_naming_it() {
    let mut value = minimal_unit_json();
    value.as_object_mut().unwrap().remove("organisation_number");
    let error = serde_json::from_value::<Unit>(value)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("missing field `organisation_number`"),
        "{error}"
    );
}

#[test]
fn enums_serialize_to_kebab_case() {
    let json = serde_json::to_value(UnitKind::ALL).unwrap();
    assert_eq!(
        json,
        json!(["care-provider", "care-unit", "organisational-unit"])
    );
    assert_eq!(
        serde_json::from_value::<UnitKind>(json!("organisational-unit")).unwrap(),
        UnitKind::OrganisationalUnit
    );
    assert_eq!(
        serde_json::to_value(UnitStatus::Retired).unwrap(),
        "retired"
    );
}

#[test]
fn enums_reject_unknown_values() {
    for bad in ["care_unit", "CareUnit", "Care-Unit", ""] {
        let error = serde_json::from_value::<UnitKind>(json!(bad))
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown variant"), "{error}");
        assert!(error.contains("care-unit"), "{error}");

        let error = bad.parse::<UnitKind>().unwrap_err();
        assert_eq!(error.value, bad);
        assert_eq!(
            error.to_string(),
            format!(
                "unknown unit-kind `{bad}`, expected one of: care-provider, care-unit, \
                 organisational-unit"
            )
        );
    }
}

#[test]
fn enum_strings_agree_with_json() {
    for kind in UnitKind::ALL {
        let json = serde_json::to_value(kind).unwrap();
        assert_eq!(json, kind.as_str());
        assert_eq!(kind.to_string(), kind.as_str());
        assert_eq!(kind.as_str().parse::<UnitKind>().unwrap(), *kind);
    }
    assert_eq!(Ownership::ALL, [Ownership::Region, Ownership::Private]);
    assert_eq!(Source::ALL, [Source::Mdm, Source::Ek]);
    assert_eq!(UnitStatus::ALL, [UnitStatus::Active, UnitStatus::Retired]);
}

#[test]
fn problem_serializes_type() {
    let problem = Problem {
        r#type: "urn:mdm:problem:not-found".into(),
        title: "Not found".into(),
        status: 404,
        detail: "No unit has HSA-id SE2321000016-XXXX.".into(),
        instance: None,
    };
    let value = serde_json::to_value(&problem).unwrap();
    assert_eq!(
        value,
        json!({
            "type": "urn:mdm:problem:not-found",
            "title": "Not found",
            "status": 404,
            "detail": "No unit has HSA-id SE2321000016-XXXX.",
        })
    );
    assert_eq!(serde_json::from_value::<Problem>(value).unwrap(), problem);
}

#[test]
fn catalogue_lists_every_unit_field_with_its_doc() {
    let catalogue = catalogue();
    assert_eq!(catalogue["package"], "region-stockholm:mdm@0.1.0");
    let records = catalogue["records"].as_array().unwrap();
    let unit = records.iter().find(|r| r["name"] == "unit").unwrap();
    assert_eq!(
        unit["doc"],
        "A care unit, care provider or organisational unit: the golden record."
    );
    let fields = unit["fields"].as_array().unwrap();

    // Every field of a full unit, in WIT order: the JSON a unit serializes to
    // has exactly these names.
    let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    let serialized = serde_json::to_value(full_unit()).unwrap();
    let mut json_names: Vec<&str> = serialized
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted_names = names.clone();
    sorted_names.sort_unstable();
    json_names.sort_unstable();
    assert_eq!(sorted_names, json_names);
    assert_eq!(names[..3], ["hsa_id", "name", "kind"]);

    let field = |name: &str| fields.iter().find(|f| f["name"] == name).unwrap().clone();
    assert_eq!(
        field("hsa_id"),
        json!({
            "name": "hsa_id",
            "wit_name": "hsa-id",
            "type": "hsa-id (string)",
            "required": true,
            "doc": "National HSA-id of the unit; the key.",
        })
    );
    assert_eq!(
        field("kind")["type"],
        "unit-kind (one of: care-provider, care-unit, organisational-unit)"
    );
    assert_eq!(field("kind")["doc"], Value::Null);
    assert_eq!(field("parent")["type"], "optional hsa-id (string)");
    assert_eq!(field("parent")["required"], false);
    assert_eq!(
        field("parent")["doc"],
        "HSA-id of the parent unit, absent for a care provider."
    );
    assert_eq!(field("care_types")["type"], "list of string");
    assert_eq!(field("care_types")["required"], false);
    assert_eq!(
        field("care_types")["doc"],
        "Care types (vårdform), e.g. `01` outpatient."
    );
    assert_eq!(
        field("visiting_address")["type"],
        "optional verified-address (record)"
    );
    assert_eq!(field("version")["type"], "u64");
    assert_eq!(
        field("updated_by")["doc"],
        "Server-owned: who last changed the unit."
    );

    let unit_kind = catalogue["enums"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "unit-kind")
        .unwrap();
    assert_eq!(unit_kind["values"][1]["value"], "care-unit");
    assert_eq!(
        unit_kind["values"][1]["doc"],
        "A care unit (vårdenhet), HSA object class `hsaHealthCareUnit`."
    );
}

#[test]
fn catalogue_keeps_multi_line_docs() {
    let catalogue = catalogue();
    let address = catalogue["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "address")
        .unwrap();
    assert_eq!(
        address["doc"],
        "An official street address (belägenhetsadress) as held in\nLantmäteriet's address \
         register."
    );
}
