//! Is this address in the register? The answer is one of four outcomes
//! (`valid`, `unknown`, `ambiguous`, `invalid`) with a sentence for a person
//! and, when not valid, suggestions of places that do exist.
//!
//! Cost: an address with a postal code is one `get_many` of three keys
//! (street, postal code, street name); only when it is not valid does a
//! second `get_many` read the streets the suggestions come from. An address
//! without a postal code reads the street name's document, then the streets
//! it lists (at most [`MAX_STREETS_READ`]).

use mdm_address_normalise::{Normalised, Parts};
use mdm_types::{
    Address, AddressQuery, AddressSuggestion, StreetListing, SuggestionReason, ValidationOutcome,
    ValidationRequest, ValidationResult,
};

use crate::index::{PlaceEntry, PostcodeDoc, StreetDoc, StreetNameDoc, number_value};
use crate::{KvOps, StoreError, display, postal_digits};

/// Suggestions given when the request does not say.
pub const DEFAULT_SUGGESTIONS: usize = 5;
/// The most suggestions a request may ask for.
pub const MAX_SUGGESTIONS: usize = 20;
/// Streets read at most for one question (an address without postal code,
/// or the suggestions of an unknown one): bounds the work per request.
pub const MAX_STREETS_READ: usize = 20;
/// Neighbouring postal codes searched for the same street.
const NEIGHBOURS: usize = 3;
/// Similarly spelt streets searched in the postal code.
const SIMILAR: usize = 3;

/// Why a validation request cannot be answered at all (a client error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RequestError(pub String);

/// Answers a validation request.
pub fn validate(
    store: &mut impl KvOps,
    request: &ValidationRequest,
) -> Result<Result<ValidationResult, RequestError>, StoreError> {
    let limit = match request.max_suggestions {
        None => DEFAULT_SUGGESTIONS,
        Some(n) if usize::from(n) <= MAX_SUGGESTIONS => usize::from(n),
        Some(n) => {
            return Ok(Err(RequestError(format!(
                "max_suggestions {n} is more than {MAX_SUGGESTIONS}"
            ))));
        }
    };
    let normalised = match (&request.address, &request.line) {
        (Some(parts), None) => mdm_address_normalise::normalise_parts(&Parts {
            street: parts.street.as_deref().unwrap_or(""),
            number: parts.number.as_deref(),
            letter: parts.letter.as_deref(),
            postal_code: parts.postal_code.as_deref(),
            post_town: parts.post_town.as_deref(),
        }),
        (None, Some(line)) => mdm_address_normalise::normalise_line(line),
        _ => {
            return Ok(Err(RequestError(
                "give exactly one of \"address\" (in parts) or \"line\" (one line)".into(),
            )));
        }
    };
    match normalised {
        Err(e) => Ok(Ok(ValidationResult {
            outcome: ValidationOutcome::Invalid,
            message: e.message,
            normalised: None,
            apartment: None,
            address: None,
            register_id: None,
            field: Some(e.field.to_string()),
            suggestions: Vec::new(),
        })),
        Ok(n) => lookup(store, &n, limit).map(Ok),
    }
}

/// Looks up a normalised address.
pub fn lookup(
    store: &mut impl KvOps,
    query: &Normalised,
    limit: usize,
) -> Result<ValidationResult, StoreError> {
    let found = match &query.postal_code {
        Some(postal_code) => with_postal_code(store, query, postal_code, limit)?,
        None => without_postal_code(store, query, limit)?,
    };
    Ok(ValidationResult {
        outcome: found.outcome,
        message: found.message,
        normalised: Some(AddressQuery {
            street: Some(query.street.clone()),
            number: query.number.clone(),
            letter: query.letter.clone(),
            postal_code: query.postal_code.clone(),
            post_town: query.post_town.clone(),
        }),
        apartment: query.apartment.clone(),
        register_id: found.place.as_ref().map(|(_, id)| id.clone()),
        address: found.place.map(|(address, _)| address),
        field: None,
        suggestions: found.suggestions,
    })
}

struct Found {
    outcome: ValidationOutcome,
    message: String,
    place: Option<(Address, String)>,
    suggestions: Vec<AddressSuggestion>,
}

/// A normalised address as people write it: `Sveavägen 44 B, 111 34
/// Stockholm` (parts not given are left out).
pub fn describe(query: &Normalised) -> String {
    let mut text = query.street.clone();
    for part in [&query.number, &query.letter].into_iter().flatten() {
        text.push(' ');
        text.push_str(part);
    }
    if let Some(code) = &query.postal_code {
        text.push_str(", ");
        text.push_str(code);
    }
    if let Some(town) = &query.post_town {
        text.push_str(if query.postal_code.is_some() {
            " "
        } else {
            ", "
        });
        text.push_str(town);
    }
    text
}

fn decode<T: serde::de::DeserializeOwned>(bytes: Option<Vec<u8>>) -> Option<T> {
    // An unreadable index document reads as absent: validation then answers
    // `unknown` rather than failing, and the next import rewrites it.
    bytes.and_then(|b| serde_json::from_slice(&b).ok())
}

fn same_town(a: &str, b: &str) -> bool {
    mdm_address_normalise::fold(a) == mdm_address_normalise::fold(b)
}

/// Entries of `doc` at exactly the queried number and letter.
fn exact<'a>(doc: &'a StreetDoc, query: &Normalised) -> Vec<&'a PlaceEntry> {
    doc.places
        .iter()
        .filter(|e| e.number == query.number && e.letter == query.letter)
        .collect()
}

fn suggestion(doc: &StreetDoc, entry: &PlaceEntry, reason: SuggestionReason) -> AddressSuggestion {
    AddressSuggestion {
        address: doc.address_of(entry),
        register_id: entry.id.clone(),
        reason,
    }
}

fn valid(doc: &StreetDoc, entry: &PlaceEntry, query: &Normalised) -> Found {
    let address = doc.address_of(entry);
    let mut message = format!(
        "{} is an address place in Lantmäteriet's register",
        display(&address)
    );
    if let Some(town) = &query.post_town
        && !same_town(town, &doc.post_town)
    {
        message.push_str(&format!("; its post town is {}, not {town}", doc.post_town));
    }
    Found {
        outcome: ValidationOutcome::Valid,
        message,
        place: Some((address, entry.id.clone())),
        suggestions: Vec::new(),
    }
}

fn with_postal_code(
    store: &mut impl KvOps,
    query: &Normalised,
    postal_code: &str,
    limit: usize,
) -> Result<Found, StoreError> {
    let keys = [
        StreetDoc::key(postal_code, &query.street),
        PostcodeDoc::key(postal_code),
        StreetNameDoc::key(&query.street),
    ];
    let mut docs = store.get_many(&keys)?.into_iter();
    let street: Option<StreetDoc> = decode(docs.next().flatten());
    let postcode: Option<PostcodeDoc> = decode(docs.next().flatten());
    let name: Option<StreetNameDoc> = decode(docs.next().flatten());

    let mut suggestions = Vec::new();
    let mut reason_text = None;
    if let Some(doc) = street.as_ref().filter(|d| !d.places.is_empty()) {
        let matches = exact(doc, query);
        if let Some(entry) = matches.iter().find(|e| !e.reserved) {
            return Ok(valid(doc, entry, query));
        }
        if matches.iter().any(|e| e.reserved) {
            reason_text = Some(format!(
                "{} is reserved in Lantmäteriet's register: planned, not yet in use",
                describe(query)
            ));
        }
        let candidates: Vec<&PlaceEntry> = doc
            .places
            .iter()
            .filter(|e| {
                !e.reserved
                    && match (&query.number, &query.letter) {
                        // No number: every place of the street is a candidate.
                        (None, _) => true,
                        // A number without letter matches its lettered places.
                        (Some(n), None) => e.number.as_ref() == Some(n),
                        (Some(_), Some(_)) => false,
                    }
            })
            .collect();
        if candidates.len() > 1 && reason_text.is_none() {
            let what = if query.number.is_some() {
                "give the letter"
            } else {
                "give the number"
            };
            return Ok(Found {
                outcome: ValidationOutcome::Ambiguous,
                message: format!(
                    "{} matches {} address places in Lantmäteriet's register; {what}",
                    describe(query),
                    candidates.len()
                ),
                place: None,
                suggestions: candidates
                    .into_iter()
                    .take(limit)
                    .map(|e| suggestion(doc, e, SuggestionReason::Candidate))
                    .collect(),
            });
        }
    }

    // Not valid: gather suggestions, best first.
    let wanted_key = mdm_address_normalise::street_key(&query.street);
    let wanted_postal: u32 = postal_digits(postal_code).parse().unwrap_or(0);
    let mut neighbours: Vec<&str> = name
        .iter()
        .flat_map(|n| &n.postal_codes)
        .map(|p| p.postal_code.as_str())
        .filter(|p| *p != postal_code)
        .collect();
    neighbours.sort_by_key(|p| {
        postal_digits(p)
            .parse::<u32>()
            .unwrap_or(0)
            .abs_diff(wanted_postal)
    });
    neighbours.truncate(NEIGHBOURS);
    let similar: Vec<&String> = postcode
        .iter()
        .flat_map(|p| &p.streets)
        .filter(|s| {
            let key = mdm_address_normalise::street_key(s);
            key != wanted_key && mdm_address_normalise::is_similar(&wanted_key, &key)
        })
        .take(SIMILAR)
        .collect();
    let mut keys: Vec<String> = neighbours
        .iter()
        .map(|p| StreetDoc::key(p, &query.street))
        .collect();
    keys.extend(similar.iter().map(|s| StreetDoc::key(postal_code, s)));
    let others: Vec<Option<StreetDoc>> = if keys.is_empty() {
        Vec::new()
    } else {
        store.get_many(&keys)?.into_iter().map(decode).collect()
    };
    let (neighbour_docs, similar_docs) = others.split_at(neighbours.len());

    for doc in neighbour_docs.iter().flatten() {
        for entry in exact(doc, query).into_iter().filter(|e| !e.reserved) {
            suggestions.push(suggestion(
                doc,
                entry,
                SuggestionReason::NeighbouringPostalCode,
            ));
        }
    }
    if let Some(doc) = &street
        && query.number.is_some()
    {
        for entry in doc
            .places
            .iter()
            .filter(|e| !e.reserved && e.number == query.number && e.letter != query.letter)
        {
            suggestions.push(suggestion(doc, entry, SuggestionReason::OtherLetter));
        }
    }
    for doc in similar_docs.iter().flatten() {
        let exact_here = exact(doc, query);
        let entries = if exact_here.is_empty() {
            nearest(doc, query, 1)
        } else {
            exact_here
        };
        for entry in entries.into_iter().filter(|e| !e.reserved) {
            suggestions.push(suggestion(doc, entry, SuggestionReason::SimilarStreet));
        }
    }
    if let Some(doc) = &street {
        for entry in nearest(doc, query, limit) {
            if entry.number != query.number {
                suggestions.push(suggestion(doc, entry, SuggestionReason::OtherNumber));
            }
        }
    }
    suggestions.truncate(limit);

    let message = reason_text.unwrap_or_else(|| match (&street, &postcode) {
        (Some(doc), _) if !doc.places.is_empty() => format!(
            "{} is not an address place in Lantmäteriet's register: {} in {} has no number {}",
            describe(query),
            doc.street,
            doc.postal_code,
            label(query)
        ),
        (_, Some(code)) => format!(
            "{} is not in Lantmäteriet's register: postal code {} has no street called {}",
            describe(query),
            code.postal_code,
            query.street
        ),
        (_, None) => format!(
            "{} is not in Lantmäteriet's register: postal code {postal_code} has no address places",
            describe(query)
        ),
    });
    Ok(Found {
        outcome: ValidationOutcome::Unknown,
        message,
        place: None,
        suggestions,
    })
}

fn label(query: &Normalised) -> String {
    match (&query.number, &query.letter) {
        (Some(n), Some(l)) => format!("{n} {l}"),
        (Some(n), None) => n.clone(),
        (None, _) => "(none given)".into(),
    }
}

/// Current places of `doc` closest in number to the query.
fn nearest<'a>(doc: &'a StreetDoc, query: &Normalised, n: usize) -> Vec<&'a PlaceEntry> {
    let wanted = number_value(query.number.as_deref());
    let mut entries: Vec<&PlaceEntry> = doc.places.iter().filter(|e| !e.reserved).collect();
    entries.sort_by_key(|e| {
        (
            e.number_value().abs_diff(wanted),
            e.number_value(),
            e.letter.clone(),
        )
    });
    entries.truncate(n);
    entries
}

fn without_postal_code(
    store: &mut impl KvOps,
    query: &Normalised,
    limit: usize,
) -> Result<Found, StoreError> {
    let name: Option<StreetNameDoc> = decode(
        store
            .get_many(&[StreetNameDoc::key(&query.street)])?
            .remove(0),
    );
    let Some(name) = name.filter(|n| !n.postal_codes.is_empty()) else {
        return Ok(Found {
            outcome: ValidationOutcome::Unknown,
            message: format!(
                "{}: there is no street called {} in Lantmäteriet's register; give the postal code to get suggestions of similar names",
                describe(query),
                query.street
            ),
            place: None,
            suggestions: Vec::new(),
        });
    };
    let in_town: Vec<&str> = name
        .postal_codes
        .iter()
        .filter(|p| {
            query
                .post_town
                .as_ref()
                .is_none_or(|t| same_town(t, &p.post_town))
        })
        .map(|p| p.postal_code.as_str())
        .collect();
    if in_town.is_empty() {
        let towns: Vec<&str> = name
            .postal_codes
            .iter()
            .map(|p| p.post_town.as_str())
            .collect();
        let mut towns = towns;
        towns.dedup();
        return Ok(Found {
            outcome: ValidationOutcome::Unknown,
            message: format!(
                "{}: {} is not in {} in Lantmäteriet's register; it is in {}",
                describe(query),
                name.street,
                query.post_town.as_deref().unwrap_or("that town"),
                towns.join(", ")
            ),
            place: None,
            suggestions: Vec::new(),
        });
    }
    let keys: Vec<String> = in_town
        .iter()
        .take(MAX_STREETS_READ)
        .map(|p| StreetDoc::key(p, &query.street))
        .collect();
    let docs: Vec<StreetDoc> = store
        .get_many(&keys)?
        .into_iter()
        .filter_map(decode)
        .collect();
    let matches: Vec<(&StreetDoc, &PlaceEntry)> = docs
        .iter()
        .flat_map(|d| exact(d, query).into_iter().map(move |e| (d, e)))
        .filter(|(_, e)| !e.reserved)
        .collect();
    match matches.as_slice() {
        [(doc, entry)] => Ok(valid(doc, entry, query)),
        [] => {
            let mut suggestions: Vec<AddressSuggestion> = docs
                .iter()
                .flat_map(|d| {
                    nearest(d, query, limit)
                        .into_iter()
                        .map(move |e| suggestion(d, e, SuggestionReason::OtherNumber))
                })
                .collect();
            suggestions.truncate(limit);
            Ok(Found {
                outcome: ValidationOutcome::Unknown,
                message: format!(
                    "{} is not an address place in Lantmäteriet's register",
                    describe(query)
                ),
                place: None,
                suggestions,
            })
        }
        many => Ok(Found {
            outcome: ValidationOutcome::Ambiguous,
            message: format!(
                "{} matches address places in {} postal codes; give the postal code",
                describe(query),
                many.len()
            ),
            place: None,
            suggestions: many
                .iter()
                .take(limit)
                .map(|(d, e)| suggestion(d, e, SuggestionReason::Candidate))
                .collect(),
        }),
    }
}

/// `GET /api/v1/addresses?postal_code=&street=`: the streets of a postal
/// code whose names start with `street` (folded: case and accents ignored),
/// or, without a postal code, the exact street in every postal code it
/// occurs in. At most `limit` streets, each with its current numbers.
pub fn list_streets(
    store: &mut impl KvOps,
    postal_code: Option<&str>,
    street: Option<&str>,
    limit: usize,
) -> Result<Vec<StreetListing>, StoreError> {
    let keys: Vec<String> = match (postal_code, street) {
        (Some(code), prefix) => {
            let doc: Option<PostcodeDoc> =
                decode(store.get_many(&[PostcodeDoc::key(code)])?.remove(0));
            let prefix = prefix.map(mdm_address_normalise::fold).unwrap_or_default();
            doc.iter()
                .flat_map(|d| &d.streets)
                .filter(|s| mdm_address_normalise::fold(s).starts_with(&prefix))
                .take(limit)
                .map(|s| StreetDoc::key(code, s))
                .collect()
        }
        (None, Some(street)) => {
            let doc: Option<StreetNameDoc> =
                decode(store.get_many(&[StreetNameDoc::key(street)])?.remove(0));
            doc.iter()
                .flat_map(|d| &d.postal_codes)
                .take(limit)
                .map(|p| StreetDoc::key(&p.postal_code, street))
                .collect()
        }
        (None, None) => Vec::new(),
    };
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    Ok(store
        .get_many(&keys)?
        .into_iter()
        .filter_map(decode::<StreetDoc>)
        .filter(|d| !d.places.is_empty())
        .map(|d| StreetListing {
            numbers: d
                .places
                .iter()
                .filter(|e| !e.reserved)
                .map(PlaceEntry::label)
                .collect(),
            street: d.street,
            postal_code: d.postal_code,
            post_town: d.post_town,
            municipality_code: d.municipality_code,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryStore;

    /// A small register: Sveavägen over two postal codes, Storgatan with
    /// letters, a reserved place, and a look-alike street name.
    fn register() -> MemoryStore {
        let places = [
            ("Sveavägen", "44", "", "111 34", "Stockholm", "gällande"),
            ("Sveavägen", "46", "", "111 34", "Stockholm", "gällande"),
            ("Sveavägen", "48", "", "111 34", "Stockholm", "reserverad"),
            ("Sveavägen", "50", "", "113 59", "Stockholm", "gällande"),
            ("Sveaplan", "1", "", "111 34", "Stockholm", "gällande"),
            ("Storgatan", "12", "A", "171 48", "Solna", "gällande"),
            ("Storgatan", "12", "B", "171 48", "Solna", "gällande"),
            ("Storgatan", "14", "", "171 48", "Solna", "gällande"),
            ("Storgatan", "14", "", "761 30", "Norrtälje", "gällande"),
        ];
        let body: Vec<String> = places
            .iter()
            .enumerate()
            .map(|(i, (street, number, letter, postal, town, status))| {
                let letter = if letter.is_empty() {
                    String::new()
                } else {
                    format!(r#","bokstavstillagg":"{letter}""#)
                };
                format!(
                    r#"{{"objektidentitet":"00000000-0000-4000-8000-{i:012}","objektversion":1,"adressomrade":"{street}","adressplatsnummer":"{number}"{letter},"postnummer":"{postal}","postort":"{town}","kommunkod":"0180","kommunnamn":"{town}","status":"{status}"}}"#
                )
            })
            .collect();
        crate::import::fixture::store(&body.join("\n"))
    }

    fn check(store: &mut MemoryStore, line: &str) -> ValidationResult {
        let request = ValidationRequest {
            address: None,
            line: Some(line.into()),
            max_suggestions: None,
        };
        validate(store, &request).unwrap().unwrap()
    }

    fn reasons(result: &ValidationResult) -> Vec<(String, SuggestionReason)> {
        result
            .suggestions
            .iter()
            .map(|s| {
                let a = &s.address;
                let label = [Some(&a.street), a.number.as_ref(), a.letter.as_ref()]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" ");
                (format!("{label}, {}", a.postal_code), s.reason)
            })
            .collect()
    }

    #[test]
    fn addresses_are_described_as_people_write_them() {
        let mut query = Normalised {
            street: "Sveavägen".into(),
            number: Some("44".into()),
            letter: Some("B".into()),
            postal_code: Some("111 34".into()),
            post_town: Some("Stockholm".into()),
            apartment: None,
        };
        assert_eq!(describe(&query), "Sveavägen 44 B, 111 34 Stockholm");
        query.postal_code = None;
        assert_eq!(describe(&query), "Sveavägen 44 B, Stockholm");
    }

    #[test]
    fn an_exact_address_is_valid_in_one_round_trip() {
        let mut store = register();
        let before = store.round_trips;
        let result = check(&mut store, "sveavägen 44, 11134 STOCKHOLM");
        assert_eq!(
            result.outcome,
            ValidationOutcome::Valid,
            "{}",
            result.message
        );
        assert_eq!(store.round_trips, before + 1);
        assert_eq!(
            result.register_id.as_deref(),
            Some("00000000-0000-4000-8000-000000000000")
        );
        let address = result.address.unwrap();
        assert_eq!(address.street, "Sveavägen");
        assert_eq!(address.municipality_code.as_deref(), Some("0180"));
    }

    #[test]
    fn a_wrong_post_town_is_corrected_and_said() {
        let mut store = register();
        let result = check(&mut store, "Sveavägen 44, 111 34 Solna");
        assert_eq!(result.outcome, ValidationOutcome::Valid);
        assert!(
            result.message.contains("post town is Stockholm"),
            "{}",
            result.message
        );
    }

    #[test]
    fn unknown_numbers_get_neighbouring_postal_codes_and_nearby_numbers() {
        let mut store = register();
        let result = check(&mut store, "Sveavägen 50, 111 34 Stockholm");
        assert_eq!(result.outcome, ValidationOutcome::Unknown);
        let got = reasons(&result);
        assert_eq!(
            got[0],
            (
                "Sveavägen 50, 113 59".into(),
                SuggestionReason::NeighbouringPostalCode
            )
        );
        assert!(got.contains(&("Sveavägen 46, 111 34".into(), SuggestionReason::OtherNumber)));
        assert!(
            !got.iter().any(|(a, _)| a.contains("48")),
            "reserved is never suggested"
        );
    }

    #[test]
    fn a_reserved_place_is_not_valid_and_says_why() {
        let mut store = register();
        let result = check(&mut store, "Sveavägen 48, 111 34 Stockholm");
        assert_eq!(result.outcome, ValidationOutcome::Unknown);
        assert!(result.message.contains("reserved"), "{}", result.message);
    }

    #[test]
    fn misspelt_streets_get_the_similar_name() {
        let mut store = register();
        let result = check(&mut store, "Svevägen 44, 111 34 Stockholm");
        assert_eq!(result.outcome, ValidationOutcome::Unknown);
        assert_eq!(
            reasons(&result)[0],
            (
                "Sveavägen 44, 111 34".into(),
                SuggestionReason::SimilarStreet
            )
        );
        assert!(
            result.message.contains("no street called Svevägen"),
            "{}",
            result.message
        );
    }

    #[test]
    fn a_number_with_several_letters_is_ambiguous() {
        let mut store = register();
        let result = check(&mut store, "Storgatan 12, 171 48 Solna");
        assert_eq!(
            result.outcome,
            ValidationOutcome::Ambiguous,
            "{}",
            result.message
        );
        let got = reasons(&result);
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|(_, r)| *r == SuggestionReason::Candidate));
        let wrong_letter = check(&mut store, "Storgatan 12 C, 171 48 Solna");
        assert_eq!(wrong_letter.outcome, ValidationOutcome::Unknown);
        assert_eq!(reasons(&wrong_letter)[0].1, SuggestionReason::OtherLetter);
    }

    #[test]
    fn without_a_postal_code_the_town_decides() {
        let mut store = register();
        let both = check(&mut store, "Storgatan 14");
        assert_eq!(
            both.outcome,
            ValidationOutcome::Ambiguous,
            "{}",
            both.message
        );
        assert_eq!(both.suggestions.len(), 2);
        let solna = check(&mut store, "Storgatan 14, Solna");
        assert_eq!(solna.outcome, ValidationOutcome::Valid, "{}", solna.message);
        assert_eq!(solna.address.unwrap().postal_code, "171 48");
        let nowhere = check(&mut store, "Storgatan 14, Uppsala");
        assert_eq!(nowhere.outcome, ValidationOutcome::Unknown);
        assert!(nowhere.message.contains("Norrtälje"), "{}", nowhere.message);
    }

    #[test]
    fn box_addresses_and_bad_postal_codes_are_invalid() {
        let mut store = register();
        let result = check(&mut store, "Box 123, 111 34 Stockholm");
        assert_eq!(result.outcome, ValidationOutcome::Invalid);
        assert!(result.field.is_some());
        let result = check(&mut store, "Sveavägen 44, 011 34 Stockholm");
        assert_eq!(result.outcome, ValidationOutcome::Invalid);
    }

    #[test]
    fn requests_must_give_exactly_one_form() {
        let mut store = register();
        let neither = ValidationRequest {
            address: None,
            line: None,
            max_suggestions: None,
        };
        assert!(validate(&mut store, &neither).unwrap().is_err());
        let too_many = ValidationRequest {
            address: None,
            line: Some("Sveavägen 44".into()),
            max_suggestions: Some(21),
        };
        assert!(validate(&mut store, &too_many).unwrap().is_err());
    }

    #[test]
    fn streets_are_listed_by_prefix_with_their_numbers() {
        let mut store = register();
        let listed = list_streets(&mut store, Some("111 34"), Some("svea"), 10).unwrap();
        let names: Vec<&str> = listed.iter().map(|l| l.street.as_str()).collect();
        assert_eq!(names, ["Sveaplan", "Sveavägen"]);
        assert_eq!(listed[1].numbers, ["44", "46"]);
        let everywhere = list_streets(&mut store, None, Some("Storgatan"), 10).unwrap();
        assert_eq!(everywhere.len(), 2);
    }
}
