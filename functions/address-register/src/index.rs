//! The index documents that make a register lookup one round trip. Keys are
//! in [`mdm_keys`]; each document is JSON, rewritten whole by
//! compare-and-swap, so a reader always sees a complete one.
//!
//! - `address-street/{postal digits}/{street key}` → [`StreetDoc`]: every
//!   place of one street in one postal code. An exact lookup reads this one
//!   document; "other numbers on the street" come from it too.
//! - `address-postcode/{postal digits}` → [`PostcodeDoc`]: the streets of a
//!   postal code, for similar-name suggestions and autocomplete.
//! - `address-street-name/{street key}` → [`StreetNameDoc`]: the postal codes
//!   a street name occurs in, for neighbouring-postal-code suggestions and
//!   addresses given without a postal code.
//!
//! The place documents (`address-place/{objektidentitet}`) are the register's
//! records; the import writes them last, so they mark what is complete.

use std::cmp::Ordering;

use mdm_types::{Address, AddressPlace, PlaceStatus};
use serde::{Deserialize, Serialize};

use crate::postal_digits;

/// One address place in a [`StreetDoc`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceEntry {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub letter: Option<String>,
    /// Planned, not yet in use (reserverad).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reserved: bool,
}

impl PlaceEntry {
    /// The number as an integer for ordering and distance; 0 when absent.
    pub fn number_value(&self) -> u32 {
        number_value(self.number.as_deref())
    }

    /// `12`, `12 B`, or `(no number)`.
    pub fn label(&self) -> String {
        match (&self.number, &self.letter) {
            (Some(n), Some(l)) => format!("{n} {l}"),
            (Some(n), None) => n.clone(),
            (None, _) => "(no number)".into(),
        }
    }
}

pub(crate) fn number_value(number: Option<&str>) -> u32 {
    number.and_then(|n| n.parse().ok()).unwrap_or(0)
}

fn entry_order(a: &PlaceEntry, b: &PlaceEntry) -> Ordering {
    (a.number_value(), &a.letter, &a.id).cmp(&(b.number_value(), &b.letter, &b.id))
}

/// Every place of one street in one postal code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreetDoc {
    /// The register's spelling.
    pub street: String,
    pub postal_code: String,
    pub post_town: String,
    pub municipality_code: String,
    /// Ordered by number, then letter.
    pub places: Vec<PlaceEntry>,
}

impl StreetDoc {
    pub fn key(postal_code: &str, street: &str) -> String {
        mdm_keys::address_street(
            &postal_digits(postal_code),
            &mdm_address_normalise::street_key(street),
        )
    }

    fn for_place(place: &AddressPlace) -> Self {
        Self {
            street: place.address.street.clone(),
            postal_code: place.address.postal_code.clone(),
            post_town: place.address.post_town.clone(),
            municipality_code: place.address.municipality_code.clone().unwrap_or_default(),
            places: Vec::new(),
        }
    }

    /// Adds or replaces the entry of `place` (by id); idempotent.
    pub fn upsert(doc: Option<Self>, place: &AddressPlace) -> Self {
        let mut doc = doc.unwrap_or_else(|| Self::for_place(place));
        // The latest import's spelling and post town win.
        doc.street = place.address.street.clone();
        doc.post_town = place.address.post_town.clone();
        if let Some(code) = &place.address.municipality_code {
            doc.municipality_code = code.clone();
        }
        doc.places.retain(|e| e.id != place.register_id);
        doc.places.push(PlaceEntry {
            id: place.register_id.clone(),
            number: place.address.number.clone(),
            letter: place.address.letter.clone(),
            reserved: place.status == PlaceStatus::Reserved,
        });
        doc.places.sort_by(entry_order);
        doc
    }

    /// Removes the entry with `id`; idempotent.
    pub fn remove(mut self, id: &str) -> Self {
        self.places.retain(|e| e.id != id);
        self
    }

    /// The register address of one of this street's entries.
    pub fn address_of(&self, entry: &PlaceEntry) -> Address {
        Address {
            street: self.street.clone(),
            number: entry.number.clone(),
            letter: entry.letter.clone(),
            postal_code: self.postal_code.clone(),
            post_town: self.post_town.clone(),
            municipality_code: Some(self.municipality_code.clone()),
        }
    }
}

/// The streets of one postal code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostcodeDoc {
    pub postal_code: String,
    pub post_town: String,
    pub municipality_code: String,
    /// Register spellings, ordered by street key.
    pub streets: Vec<String>,
}

impl PostcodeDoc {
    pub fn key(postal_code: &str) -> String {
        mdm_keys::address_postcode(&postal_digits(postal_code))
    }

    /// Lists `street.street` when it has places, unlists it when it has none.
    pub fn reconcile(doc: Option<Self>, street: &StreetDoc) -> Option<Self> {
        let key = mdm_address_normalise::street_key(&street.street);
        let mut doc = match doc {
            Some(doc) => doc,
            None if street.places.is_empty() => return None,
            None => Self {
                postal_code: street.postal_code.clone(),
                post_town: street.post_town.clone(),
                municipality_code: street.municipality_code.clone(),
                streets: Vec::new(),
            },
        };
        doc.streets
            .retain(|s| mdm_address_normalise::street_key(s) != key);
        if !street.places.is_empty() {
            doc.streets.push(street.street.clone());
            doc.post_town = street.post_town.clone();
            doc.streets
                .sort_by_cached_key(|s| mdm_address_normalise::street_key(s));
        }
        Some(doc)
    }
}

/// A postal code a street name occurs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalEntry {
    pub postal_code: String,
    pub post_town: String,
}

/// The postal codes a street name occurs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetNameDoc {
    pub street: String,
    /// Ordered by postal code.
    pub postal_codes: Vec<PostalEntry>,
}

impl StreetNameDoc {
    pub fn key(street: &str) -> String {
        mdm_keys::address_street_name(&mdm_address_normalise::street_key(street))
    }

    /// Lists `street`'s postal code when it has places, unlists it otherwise.
    pub fn reconcile(doc: Option<Self>, street: &StreetDoc) -> Option<Self> {
        let mut doc = match doc {
            Some(doc) => doc,
            None if street.places.is_empty() => return None,
            None => Self {
                street: street.street.clone(),
                postal_codes: Vec::new(),
            },
        };
        doc.postal_codes
            .retain(|p| p.postal_code != street.postal_code);
        if !street.places.is_empty() {
            doc.postal_codes.push(PostalEntry {
                postal_code: street.postal_code.clone(),
                post_town: street.post_town.clone(),
            });
            doc.postal_codes
                .sort_by(|a, b| a.postal_code.cmp(&b.postal_code));
        }
        Some(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mdm_types::Address;

    fn place(id: &str, number: Option<&str>, letter: Option<&str>) -> AddressPlace {
        AddressPlace {
            register_id: id.into(),
            register_version: 1,
            address: Address {
                street: "Sveavägen".into(),
                number: number.map(Into::into),
                letter: letter.map(Into::into),
                postal_code: "111 34".into(),
                post_town: "Stockholm".into(),
                municipality_code: Some("0180".into()),
            },
            municipality: "Stockholm".into(),
            status: PlaceStatus::Current,
            northing: None,
            easting: None,
        }
    }

    #[test]
    fn entries_are_ordered_numerically_and_upsert_is_idempotent() {
        let mut doc = None;
        for (id, n, l) in [("c", "10", None), ("a", "9", None), ("b", "10", Some("A"))] {
            doc = Some(StreetDoc::upsert(doc, &place(id, Some(n), l)));
        }
        let doc = doc.unwrap();
        let labels: Vec<String> = doc.places.iter().map(PlaceEntry::label).collect();
        assert_eq!(labels, ["9", "10", "10 A"]);
        let again = StreetDoc::upsert(Some(doc.clone()), &place("a", Some("9"), None));
        assert_eq!(again, doc);
        assert_eq!(again.remove("a").places.len(), 2);
    }

    #[test]
    fn postcode_and_street_name_docs_follow_the_street() {
        let street = StreetDoc::upsert(None, &place("a", Some("1"), None));
        let postcode = PostcodeDoc::reconcile(None, &street).unwrap();
        assert_eq!(postcode.streets, ["Sveavägen"]);
        assert_eq!(
            PostcodeDoc::reconcile(Some(postcode.clone()), &street),
            Some(postcode.clone())
        );
        let name = StreetNameDoc::reconcile(None, &street).unwrap();
        assert_eq!(name.postal_codes[0].postal_code, "111 34");

        let empty = street.remove("a");
        assert!(
            PostcodeDoc::reconcile(Some(postcode), &empty)
                .unwrap()
                .streets
                .is_empty()
        );
        assert!(
            StreetNameDoc::reconcile(Some(name), &empty)
                .unwrap()
                .postal_codes
                .is_empty()
        );
        assert_eq!(PostcodeDoc::reconcile(None, &empty), None);
    }
}
