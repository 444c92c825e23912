//! Properties of generated registers: counts, determinism, the hierarchy,
//! identifiers, addresses against the address register, the seed file and
//! the realism knobs.

use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::sync::OnceLock;

use mdm_identifiers::{check_hsa_id, is_valid_organisation_number};
use mdm_types::{Ownership, Source, Unit, UnitKind, UnitStatus};
use mdm_unit_gen::{Config, generate, register_config, write_seed};
use serde_json::Value;

const REGION_ORGANISATION_NUMBER: &str = "2321000016";

fn config(units: usize) -> Config {
    Config {
        units,
        seed: 2026,
        register_seed: 2026,
    }
}

const BIG: Config = Config {
    units: 4_000,
    seed: 7,
    register_seed: 11,
};

/// The 4 000-unit register, generated once for the tests of this file.
fn big() -> &'static [Unit] {
    static UNITS: OnceLock<Vec<Unit>> = OnceLock::new();
    UNITS.get_or_init(|| generate(&BIG))
}

fn share(units: &[Unit], pred: impl Fn(&Unit) -> bool) -> f64 {
    units.iter().filter(|u| pred(u)).count() as f64 / units.len() as f64
}

#[test]
fn exact_count() {
    for seed in 0..4 {
        for units in [0, 1, 2, 3, 7, 39, 40, 41, 100, 200, 1_234] {
            let config = Config {
                seed,
                ..config(units)
            };
            assert_eq!(generate(&config).len(), units, "{units} units, seed {seed}");
        }
    }
}

#[test]
fn deterministic() {
    let a = generate(&config(300));
    assert_eq!(a, generate(&config(300)));
    let other_seed = generate(&Config {
        seed: 1,
        ..config(300)
    });
    assert_ne!(a, other_seed);
    let other_register = generate(&Config {
        register_seed: 1,
        ..config(300)
    });
    let ids = |units: &[Unit]| -> Vec<String> {
        units
            .iter()
            .filter_map(|u| u.visiting_address.as_ref())
            .map(|a| a.verification.register_id.clone())
            .collect()
    };
    assert_ne!(ids(&a), ids(&other_register));
}

#[test]
fn region_stockholm_comes_first() {
    let one = generate(&config(1));
    assert_eq!(one[0].hsa_id, "SE2321000016-0001");
    assert_eq!(one[0].name, "Region Stockholm");
    assert_eq!(one[0].kind, UnitKind::CareProvider);
    for units in [big(), &generate(&config(200))[..]] {
        assert_eq!(units[0].hsa_id, "SE2321000016-0001");
    }
    // Too small for a private provider.
    let small = generate(&config(39));
    assert!(small.iter().all(|u| u.ownership == Ownership::Region));
}

#[test]
fn hsa_ids_are_unique_and_valid() {
    let mut seen = HashSet::new();
    for unit in big() {
        let id = &unit.hsa_id;
        assert!(check_hsa_id(id).is_ok(), "{id}");
        assert!(seen.insert(id.as_str()), "{id} twice");
        let (owner, suffix) = id.split_once('-').unwrap();
        assert_eq!(owner, format!("SE{}", unit.organisation_number), "{id}");
        assert!((4..=8).contains(&suffix.len()), "{id}");
        assert!(
            suffix
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
            "{id}"
        );
    }
}

#[test]
fn hierarchy_parents_first_and_providers_consistent() {
    let units = big();
    let mut position: HashMap<&str, usize> = HashMap::new();
    for (i, unit) in units.iter().enumerate() {
        position.insert(&unit.hsa_id, i);
        let provider = &units[position[unit.care_provider.as_str()]];
        assert_eq!(provider.kind, UnitKind::CareProvider, "{}", unit.hsa_id);
        assert_eq!(provider.organisation_number, unit.organisation_number);
        assert_eq!(provider.ownership, unit.ownership);
        assert_eq!(provider.source, unit.source);
        match unit.kind {
            UnitKind::CareProvider => {
                assert_eq!(unit.parent, None);
                assert_eq!(unit.care_provider, unit.hsa_id);
            }
            kind => {
                let parent = unit.parent.as_deref().expect("a parent");
                // Present in `position` only if it came earlier.
                let parent = &units[*position.get(parent).expect("parent comes earlier")];
                let expected = if kind == UnitKind::CareUnit {
                    UnitKind::CareProvider
                } else {
                    UnitKind::CareUnit
                };
                assert_eq!(parent.kind, expected, "{}", unit.hsa_id);
                assert_eq!(parent.care_provider, unit.care_provider);
            }
        }
    }
    for kind in UnitKind::ALL {
        assert!(units.iter().any(|u| u.kind == *kind), "{kind}");
    }
}

#[test]
fn organisation_numbers_and_ownership() {
    let mut private_numbers = HashSet::new();
    for unit in big() {
        assert!(is_valid_organisation_number(&unit.organisation_number));
        match unit.ownership {
            Ownership::Region => {
                assert_eq!(unit.organisation_number, REGION_ORGANISATION_NUMBER);
                assert_eq!(unit.source, Source::Mdm);
            }
            Ownership::Private => {
                assert!(unit.organisation_number.starts_with("55"));
                assert_eq!(unit.source, Source::Ek);
                if unit.kind == UnitKind::CareProvider {
                    assert!(private_numbers.insert(&unit.organisation_number));
                }
            }
        }
    }
    assert!(private_numbers.len() >= 3);
    let region_providers = big()
        .iter()
        .filter(|u| u.kind == UnitKind::CareProvider && u.ownership == Ownership::Region)
        .count();
    assert!((2..=10).contains(&region_providers), "{region_providers}");
}

#[test]
fn visiting_addresses_are_distinct_current_register_places() {
    let register = register_config(&BIG);
    assert_eq!(register.places, 8_000);
    assert_eq!(register.seed, BIG.register_seed);
    let mut ndjson = Vec::new();
    mdm_register_gen::generate(&register, mdm_register_gen::Format::Ndjson, &mut ndjson).unwrap();
    let places: HashMap<String, Value> = String::from_utf8(ndjson)
        .unwrap()
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            (v["objektidentitet"].as_str().unwrap().to_owned(), v)
        })
        .collect();
    let mut used = HashSet::new();
    for unit in big() {
        let Some(visiting) = &unit.visiting_address else {
            assert_eq!(unit.kind, UnitKind::OrganisationalUnit, "{}", unit.hsa_id);
            continue;
        };
        let id = &visiting.verification.register_id;
        assert!(used.insert(id.as_str()), "place {id} used twice");
        let place = places
            .get(id)
            .unwrap_or_else(|| panic!("{id} not in register"));
        let a = &visiting.address;
        let field = |name: &str| place.get(name).and_then(Value::as_str);
        assert_eq!(field("status"), Some("gällande"));
        assert_eq!(field("adressomrade"), Some(a.street.as_str()));
        assert_eq!(field("adressplatsnummer"), a.number.as_deref());
        assert_eq!(field("bokstavstillagg"), a.letter.as_deref());
        assert_eq!(field("postnummer"), Some(a.postal_code.as_str()));
        assert_eq!(field("postort"), Some(a.post_town.as_str()));
        assert_eq!(field("kommunkod"), a.municipality_code.as_deref());
        assert_eq!(unit.municipality_code, a.municipality_code);
        assert_eq!(visiting.verification.source, "lantmateriet-register");
        assert_eq!(visiting.verification.verified_at, unit.created_at);
    }
}

#[test]
fn seed_file_round_trips_as_units() {
    let units = big();
    let mut out = Vec::new();
    write_seed(units, &mut out).unwrap();
    let seed: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(seed["store"], "default");
    let documents = seed["documents"].as_object().unwrap();
    assert_eq!(documents.len(), units.len());
    for unit in units {
        let document = &documents[&format!("unit/{}", unit.hsa_id)];
        // `Unit` denies unknown fields, so this also checks the field names.
        let back: Unit = serde_json::from_value(document.clone()).unwrap();
        assert_eq!(&back, unit);
        assert!(document.get("change_seq").is_none());
    }
    // Enums are written as the contract's kebab-case values.
    let provider = &documents["unit/SE2321000016-0001"];
    assert_eq!(provider["kind"], "care-provider");
    assert_eq!(provider["ownership"], "region");
    assert_eq!(provider["source"], "mdm");
    assert_eq!(provider["status"], "active");

    let twice = [units[0].clone(), units[0].clone()];
    let err = write_seed(&twice, &mut Vec::new()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && (s.starts_with("2025-") || s.starts_with("2026-"))
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
        && &s[17..19] == "00"
}

fn is_date(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

#[test]
fn fields_are_well_formed() {
    let units = big();
    let position: HashMap<&str, &Unit> = units.iter().map(|u| (u.hsa_id.as_str(), u)).collect();
    for unit in units {
        let id = &unit.hsa_id;
        assert!(
            !unit.name.is_empty() && unit.name.chars().count() <= 64,
            "{id}"
        );
        assert_eq!(unit.name.trim(), unit.name);
        assert_eq!(unit.version, 1);
        assert_eq!(unit.change_seq, None);
        assert_eq!(
            (unit.created_by.as_str(), unit.updated_by.as_str()),
            ("seed", "seed")
        );
        assert!(is_timestamp(&unit.created_at), "{}", unit.created_at);
        assert!(is_timestamp(&unit.updated_at), "{}", unit.updated_at);
        assert!(unit.created_at <= unit.updated_at);
        assert_eq!(unit.county_code.as_deref(), Some("01"));
        assert!(
            unit.municipality_code
                .as_ref()
                .is_some_and(|c| c.len() == 4 && c.starts_with("01"))
        );
        let from = unit.valid_from.as_deref().expect("valid_from");
        assert!(is_date(from) && from <= &unit.created_at[..10], "{id}");
        match unit.status {
            UnitStatus::Active => assert_eq!(unit.valid_to, None),
            UnitStatus::Retired => {
                let to = unit.valid_to.as_deref().expect("valid_to");
                assert!(is_date(to) && from <= to, "{id}");
            }
        }
        if let Some(parent) = &unit.parent {
            let parent = position[parent.as_str()];
            assert!(parent.created_at <= unit.created_at, "{id}");
            assert!(parent.valid_from <= unit.valid_from, "{id}");
            if parent.status == UnitStatus::Retired {
                assert_eq!(unit.status, UnitStatus::Retired, "{id}");
            }
        }
        let codes = &unit.business_classification_codes;
        let care_types = &unit.care_types;
        if unit.kind == UnitKind::CareProvider {
            assert!(codes.is_empty() && care_types.is_empty());
            assert_eq!(unit.status, UnitStatus::Active);
        } else {
            assert!((1..=3).contains(&codes.len()), "{id}");
            assert!(
                codes
                    .iter()
                    .all(|c| c.len() == 4 && c.bytes().all(|b| b.is_ascii_digit()))
            );
            assert!((1..=2).contains(&care_types.len()), "{id}");
            assert!(
                care_types
                    .iter()
                    .all(|c| ["01", "02", "03"].contains(&c.as_str()))
            );
            let mut distinct = codes.clone();
            distinct.dedup();
            assert_eq!(&distinct, codes);
        }
        match unit.kind {
            UnitKind::CareUnit => {
                let t = unit.business_type.as_deref().expect("business type");
                assert!(["01", "02", "03"].contains(&t));
            }
            _ => assert_eq!(unit.business_type, None),
        }
        if let Some(contact) = &unit.contact {
            if let Some(phone) = &contact.phone {
                assert!(phone.starts_with("+46 "), "{phone}");
            }
            if let Some(email) = &contact.email {
                let (local, domain) = email.split_once('@').expect("an @");
                assert!(!local.is_empty() && domain.ends_with(".se"), "{email}");
                assert!(email.is_ascii(), "{email}");
            }
            if let Some(web) = &contact.web {
                assert!(web.starts_with("https://") && web.is_ascii(), "{web}");
            }
        }
    }
}

#[test]
fn shares_are_realistic() {
    let units = big();
    let private = share(units, |u| u.ownership == Ownership::Private);
    assert!((0.03..=0.07).contains(&private), "private {private}");
    let retired = share(units, |u| u.status == UnitStatus::Retired);
    assert!((0.015..=0.05).contains(&retired), "retired {retired}");
    let subs: Vec<Unit> = units
        .iter()
        .filter(|u| u.kind == UnitKind::OrganisationalUnit)
        .cloned()
        .collect();
    let without = share(&subs, |u| u.visiting_address.is_none());
    assert!(
        (0.06..=0.14).contains(&without),
        "sub-units without address {without}"
    );
    let care_units = share(units, |u| u.kind == UnitKind::CareUnit);
    assert!(
        (0.3..=0.55).contains(&care_units),
        "care units {care_units}"
    );
}

#[test]
fn name_words_range_from_common_to_rare() {
    let units = big();
    let mut words: HashMap<String, usize> = HashMap::new();
    for unit in units {
        let distinct: HashSet<String> = unit.name.split(' ').map(str::to_lowercase).collect();
        for word in distinct {
            *words.entry(word).or_default() += 1;
        }
    }
    // Common: "Vårdcentral" in several percent of names (thousands at 50 000).
    let common = words["vårdcentral"] as f64 / units.len() as f64;
    assert!(common >= 0.05, "vårdcentral in {common}");
    // Rare: many words occur in one or two names only.
    let rare = words.values().filter(|&&n| n <= 2).count();
    assert!(rare >= 100, "{rare} rare words");
    // Sub-units of a care unit never share a name, care units of a
    // provider rarely do.
    let mut siblings = HashSet::new();
    let mut duplicates = 0;
    for unit in units {
        if !siblings.insert((&unit.parent, &unit.name)) {
            assert_eq!(unit.kind, UnitKind::CareUnit, "{}", unit.name);
            duplicates += 1;
        }
    }
    assert!(
        duplicates * 100 < units.len(),
        "{duplicates} duplicate names"
    );
    // And names are not all distinct, nor all the same.
    let names: HashSet<&str> = units.iter().map(|u| u.name.as_str()).collect();
    assert!(
        names.len() > units.len() / 3,
        "{} distinct names",
        names.len()
    );
}

#[test]
fn binary_writes_the_seed_file() {
    let output = Command::new(env!("CARGO_BIN_EXE_mdm-unit-gen"))
        .args(["--units", "60", "--seed", "5", "--register-seed", "6"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let mut expected = Vec::new();
    let units = generate(&Config {
        units: 60,
        seed: 5,
        register_seed: 6,
    });
    write_seed(&units, &mut expected).unwrap();
    assert_eq!(output.stdout, expected);
}
