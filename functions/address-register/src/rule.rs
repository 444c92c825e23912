//! The rule at write time: a unit's visiting address enters MDM only as an
//! address place of Lantmäteriet's register, stored in the register's
//! spelling with a verification record (which place, which register, when).
//! Producer updates and the Ek import both call [`verify_visiting_address`].

use mdm_address_normalise::{Normalised, Parts};
use mdm_types::{
    Address, AddressSuggestion, AddressVerification, ValidationOutcome, VerifiedAddress,
};

use crate::validate::{DEFAULT_SUGGESTIONS, lookup};
use crate::{KvOps, StoreError};

/// The name of our embedded copy of the register in verification records.
pub const EMBEDDED_SOURCE: &str = "lantmateriet-register";

/// Where the unit being written comes from: it decides what the person
/// must do about a refused address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A producer writes the unit in MDM.
    Producer,
    /// The unit is fetched from the Ek catalogue.
    Ek,
}

/// Why a visiting address was refused: a problem+json `type` kind, a detail
/// naming the address and what to do, and the places that do exist.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// `unknown-address`, `ambiguous-address` or `invalid-address`.
    pub kind: &'static str,
    pub detail: String,
    pub suggestions: Vec<AddressSuggestion>,
    /// The address as normalised, when it could be read: what a second
    /// source (the online register) is asked about.
    pub normalised: Option<Normalised>,
}

/// Checks `address` against the register; `now` is the verification time
/// (RFC 3339).
pub fn verify_visiting_address(
    store: &mut impl KvOps,
    address: &Address,
    origin: Origin,
    now: &str,
) -> Result<Result<VerifiedAddress, Refusal>, StoreError> {
    let remedy = match origin {
        Origin::Producer => "Correct the address, or pick one of the suggestions.",
        Origin::Ek => {
            "The unit comes from Ek: the catalogue administrator must correct the address in Ek, and the unit must then be fetched again."
        }
    };
    let parts = Parts {
        street: &address.street,
        number: address.number.as_deref(),
        letter: address.letter.as_deref(),
        postal_code: Some(&address.postal_code),
        post_town: Some(&address.post_town),
    };
    let normalised = match mdm_address_normalise::normalise_parts(&parts) {
        Ok(n) => n,
        Err(e) => {
            return Ok(Err(Refusal {
                kind: "invalid-address",
                detail: format!("visiting_address.{}: {} {remedy}", e.field, e.message),
                suggestions: Vec::new(),
                normalised: None,
            }));
        }
    };
    let result = lookup(store, &normalised, DEFAULT_SUGGESTIONS)?;
    let kind = match result.outcome {
        ValidationOutcome::Valid => {
            let (Some(address), Some(register_id)) = (result.address, result.register_id) else {
                return Err(StoreError("a valid lookup came without its place".into()));
            };
            return Ok(Ok(VerifiedAddress {
                address,
                verification: AddressVerification {
                    register_id,
                    source: EMBEDDED_SOURCE.into(),
                    verified_at: now.into(),
                },
            }));
        }
        ValidationOutcome::Unknown => "unknown-address",
        ValidationOutcome::Ambiguous => "ambiguous-address",
        ValidationOutcome::Invalid => "invalid-address",
    };
    let hint = match result.suggestions.first() {
        Some(s) => format!(" Did you mean {}?", crate::display(&s.address)),
        None => String::new(),
    };
    Ok(Err(Refusal {
        kind,
        detail: format!(
            "visiting_address: {}; an address that is not in the register cannot enter MDM.{hint} {remedy}",
            result.message
        ),
        suggestions: result.suggestions,
        normalised: Some(normalised),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryStore;
    use crate::import::fixture;

    fn store() -> MemoryStore {
        let line = r#"{"objektidentitet":"8c1b6a2e-0f4d-4a8e-9a55-3f0e2d9c1b70","objektversion":1,"adressomrade":"Sveavägen","adressplatsnummer":"44","postnummer":"111 34","postort":"Stockholm","kommunkod":"0180","kommunnamn":"Stockholm","status":"gällande"}"#;
        fixture::store(line)
    }

    fn address(street: &str, number: &str) -> Address {
        Address {
            street: street.into(),
            number: Some(number.into()),
            letter: None,
            postal_code: "11134".into(),
            post_town: "STOCKHOLM".into(),
            municipality_code: None,
        }
    }

    #[test]
    fn a_register_address_is_stored_in_the_register_spelling_with_evidence() {
        let verified = verify_visiting_address(
            &mut store(),
            &address("sveav.", "44"),
            Origin::Producer,
            "2026-12-04T10:00:00Z",
        )
        .unwrap()
        .unwrap();
        assert_eq!(verified.address.street, "Sveavägen");
        assert_eq!(verified.address.postal_code, "111 34");
        assert_eq!(verified.address.post_town, "Stockholm");
        assert_eq!(verified.address.municipality_code.as_deref(), Some("0180"));
        assert_eq!(
            verified.verification.register_id,
            "8c1b6a2e-0f4d-4a8e-9a55-3f0e2d9c1b70"
        );
        assert_eq!(verified.verification.source, EMBEDDED_SOURCE);
        assert_eq!(verified.verification.verified_at, "2026-12-04T10:00:00Z");
    }

    #[test]
    fn an_unknown_address_names_itself_and_ek_units_are_sent_back_to_ek() {
        let refusal =
            verify_visiting_address(&mut store(), &address("Sveavägen", "45"), Origin::Ek, "now")
                .unwrap()
                .unwrap_err();
        assert_eq!(refusal.kind, "unknown-address");
        assert!(
            refusal.detail.contains("Sveavägen 45, 111 34 Stockholm"),
            "{}",
            refusal.detail
        );
        assert!(
            refusal.detail.contains("Did you mean Sveavägen 44"),
            "{}",
            refusal.detail
        );
        assert!(
            refusal.detail.contains("corrected in Ek")
                || refusal.detail.contains("correct the address in Ek")
        );
        assert!(refusal.detail.contains("fetched again"));

        let producer = verify_visiting_address(
            &mut store(),
            &address("Sveavägen", "45"),
            Origin::Producer,
            "now",
        )
        .unwrap()
        .unwrap_err();
        assert!(!producer.detail.contains("Ek"), "{}", producer.detail);
    }

    #[test]
    fn a_box_is_never_a_visiting_address() {
        let refusal = verify_visiting_address(
            &mut store(),
            &Address {
                number: None,
                ..address("Box 123", "")
            },
            Origin::Producer,
            "now",
        )
        .unwrap()
        .unwrap_err();
        assert_eq!(refusal.kind, "invalid-address");
        assert!(
            refusal.detail.contains("visiting_address.street"),
            "{}",
            refusal.detail
        );
    }
}
