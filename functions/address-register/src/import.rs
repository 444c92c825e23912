//! Applying a batch of address places to the register.
//!
//! Idempotent: a place already stored exactly so writes nothing, so
//! re-importing a file changes nothing. Every write is a compare-and-swap.
//! The order of writes is what keeps readers safe and makes a crashed import
//! repairable:
//!
//! 1. street documents (the read path) are updated: the place is removed
//!    from its old street and added to its new one;
//! 2. postal-code and street-name documents list or unlist those streets;
//! 3. the place document is written (or, for a withdrawn place, deleted)
//!    last.
//!
//! If an import stops between steps, the place document still holds the old
//! version, so importing the same lines again redoes steps 1–3; each step is
//! idempotent. A reader sees every index document whole, old or new.

use std::collections::{BTreeMap, HashMap};

use mdm_types::{AddressPlace, PlaceStatus};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::index::{PostcodeDoc, StreetDoc, StreetNameDoc};
use crate::line_format::{Incoming, LineError};
use crate::{KvOps, StoreError};

/// What a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub removed: u32,
    /// Lines that were read but could not be applied.
    pub errors: Vec<LineError>,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.removed += other.removed;
        self.errors.extend(other.errors);
    }
}

/// How many times a compare-and-swap is retried against concurrent writers
/// before the batch gives up.
const CAS_ATTEMPTS: usize = 16;

struct Change {
    line: u32,
    key: String,
    old: Option<(Vec<u8>, AddressPlace)>,
    new: Option<AddressPlace>,
}

fn decode<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| {
        StoreError(format!(
            "stored value at {key} is not a valid document: {e}"
        ))
    })
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("register documents always serialise")
}

/// Applies `batch` (places read from lines) to the register in `store`.
pub fn apply(store: &mut impl KvOps, batch: Vec<Incoming>) -> Result<Tally, StoreError> {
    let mut tally = Tally::default();

    // A place given twice in one batch: the last line wins, as it would have
    // had the lines come in two batches.
    let mut last_line: HashMap<String, u32> = HashMap::new();
    for incoming in &batch {
        last_line.insert(incoming.place.register_id.clone(), incoming.line);
    }
    let batch: Vec<Incoming> = batch
        .into_iter()
        .filter(|i| {
            let last = last_line[&i.place.register_id];
            if last != i.line {
                tally.errors.push(LineError {
                    line: i.line,
                    message: format!(
                        "objektidentitet {} is given again on line {last}; only that line is imported",
                        i.place.register_id
                    ),
                });
            }
            last == i.line
        })
        .collect();

    let keys: Vec<String> = batch
        .iter()
        .map(|i| mdm_keys::address_place(&i.place.register_id))
        .collect();
    let stored = store.get_many(&keys)?;
    let mut changes = Vec::new();
    for ((incoming, key), bytes) in batch.into_iter().zip(keys).zip(stored) {
        let old = match bytes {
            Some(bytes) => {
                let place: AddressPlace = decode(&key, &bytes)?;
                Some((bytes, place))
            }
            None => None,
        };
        let new = incoming.place;
        let unchanged = match (&old, new.status) {
            (None, PlaceStatus::Withdrawn) => true,
            (Some((_, stored)), _) => {
                *stored == new || new.register_version < stored.register_version
            }
            (None, _) => false,
        };
        if unchanged {
            tally.unchanged += 1;
            continue;
        }
        changes.push(Change {
            line: incoming.line,
            key,
            new: (new.status != PlaceStatus::Withdrawn).then_some(new),
            old,
        });
    }
    if changes.is_empty() {
        return Ok(tally);
    }

    // Step 1: street documents.
    let mut street_edits: BTreeMap<String, Vec<Edit>> = BTreeMap::new();
    for change in &changes {
        if let Some((_, old)) = &change.old {
            let key = StreetDoc::key(&old.address.postal_code, &old.address.street);
            street_edits
                .entry(key)
                .or_default()
                .push(Edit::Remove(old.register_id.clone()));
        }
        if let Some(new) = &change.new {
            let key = StreetDoc::key(&new.address.postal_code, &new.address.street);
            street_edits
                .entry(key)
                .or_default()
                .push(Edit::Upsert(Box::new(new.clone())));
        }
    }
    let streets = update_each(store, street_edits, |doc: Option<StreetDoc>, edits| {
        let mut doc = doc;
        for edit in edits {
            doc = Some(match edit {
                Edit::Upsert(place) => StreetDoc::upsert(doc, place),
                Edit::Remove(id) => match doc {
                    Some(d) => d.remove(id),
                    None => continue,
                },
            });
        }
        doc
    })?;

    // Step 2: postal-code and street-name documents follow the streets.
    let mut postcode_edits: BTreeMap<String, Vec<StreetDoc>> = BTreeMap::new();
    let mut name_edits: BTreeMap<String, Vec<StreetDoc>> = BTreeMap::new();
    for street in streets.into_iter().flatten() {
        postcode_edits
            .entry(PostcodeDoc::key(&street.postal_code))
            .or_default()
            .push(street.clone());
        name_edits
            .entry(StreetNameDoc::key(&street.street))
            .or_default()
            .push(street);
    }
    update_each(store, postcode_edits, |doc, streets| {
        streets.iter().fold(doc, PostcodeDoc::reconcile)
    })?;
    update_each(store, name_edits, |doc, streets| {
        streets.iter().fold(doc, StreetNameDoc::reconcile)
    })?;

    // Step 3: the place documents, last.
    for change in changes {
        let expected = change.old.as_ref().map(|(bytes, _)| bytes.as_slice());
        match &change.new {
            Some(new) => {
                if store.compare_and_swap(&change.key, expected, &encode(new))? {
                    if change.old.is_some() {
                        tally.updated += 1;
                    } else {
                        tally.created += 1;
                    }
                } else {
                    tally.errors.push(LineError {
                        line: change.line,
                        message: format!(
                            "address place {} was changed by another import at the same time; import this line again",
                            new.register_id
                        ),
                    });
                }
            }
            None => {
                store.delete(&change.key)?;
                tally.removed += 1;
            }
        }
    }
    Ok(tally)
}

enum Edit {
    Upsert(Box<AddressPlace>),
    Remove(String),
}

/// Applies `edits` to the document at each key by compare-and-swap: read all
/// in one round trip, write those that changed, and on a conflict re-read
/// that key and apply its edits again (they are idempotent). Returns each
/// key's resulting document.
fn update_each<D, E>(
    store: &mut impl KvOps,
    edits: BTreeMap<String, Vec<E>>,
    apply: impl Fn(Option<D>, &[E]) -> Option<D>,
) -> Result<Vec<Option<D>>, StoreError>
where
    D: Serialize + DeserializeOwned + PartialEq + Clone,
{
    let keys: Vec<String> = edits.keys().cloned().collect();
    let mut current = store.get_many(&keys)?;
    let mut results = Vec::with_capacity(keys.len());
    for ((key, edits), bytes) in edits.into_iter().zip(current.drain(..)) {
        let mut bytes = bytes;
        let mut attempt = 0;
        loop {
            let doc: Option<D> = bytes.as_deref().map(|b| decode(&key, b)).transpose()?;
            let updated = apply(doc.clone(), &edits);
            if updated == doc {
                results.push(updated);
                break;
            }
            let Some(new_doc) = &updated else {
                results.push(updated);
                break;
            };
            if store.compare_and_swap(&key, bytes.as_deref(), &encode(new_doc))? {
                results.push(updated);
                break;
            }
            attempt += 1;
            if attempt == CAS_ATTEMPTS {
                return Err(StoreError(format!(
                    "{key} kept changing under concurrent imports; try again"
                )));
            }
            bytes = store.get_many(std::slice::from_ref(&key))?.remove(0);
        }
    }
    Ok(results)
}

/// Test support for the crate: NDJSON import lines (each one valid) as a
/// batch, and a store holding them imported.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::MemoryStore;
    use crate::line_format::{Format, Incoming, parse};

    pub fn batch(ndjson: &str) -> Vec<Incoming> {
        parse(ndjson.as_bytes(), Format::Ndjson)
            .unwrap()
            .into_iter()
            .map(|l| l.unwrap())
            .collect()
    }

    pub fn store(ndjson: &str) -> MemoryStore {
        let mut store = MemoryStore::default();
        super::apply(&mut store, batch(ndjson)).unwrap();
        store
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryStore;
    use mdm_store_ops::CrashingStore;

    fn line(
        id: &str,
        version: u32,
        street: &str,
        number: &str,
        postal: &str,
        status: &str,
    ) -> String {
        format!(
            r#"{{"objektidentitet":"{id}","objektversion":{version},"adressomrade":"{street}","adressplatsnummer":"{number}","postnummer":"{postal}","postort":"Stockholm","kommunkod":"0180","kommunnamn":"Stockholm","status":"{status}"}}"#
        )
    }

    fn import(store: &mut MemoryStore, lines: &[String]) -> Tally {
        apply(store, fixture::batch(&lines.join("\n"))).unwrap()
    }

    const A: &str = "00000000-0000-4000-8000-00000000000a";
    const B: &str = "00000000-0000-4000-8000-00000000000b";

    fn street(store: &MemoryStore, postal: &str, name: &str) -> Option<StreetDoc> {
        store
            .entries
            .get(&StreetDoc::key(postal, name))
            .map(|b| serde_json::from_slice(b).unwrap())
    }

    #[test]
    fn reimporting_the_same_lines_writes_nothing() {
        let mut store = MemoryStore::default();
        let lines = [
            line(A, 1, "Sveavägen", "44", "111 34", "gällande"),
            line(B, 1, "Sveavägen", "46", "111 34", "gällande"),
        ];
        let first = import(&mut store, &lines);
        assert_eq!((first.created, first.unchanged), (2, 0));
        let snapshot = store.entries.clone();
        let trips = store.round_trips;
        let second = import(&mut store, &lines);
        assert_eq!(
            (second.created, second.updated, second.unchanged),
            (0, 0, 2)
        );
        assert_eq!(store.entries, snapshot);
        assert_eq!(store.round_trips, trips + 1, "only the one read");
    }

    #[test]
    fn a_moved_place_leaves_its_old_street_and_withdrawn_places_go() {
        let mut store = MemoryStore::default();
        import(
            &mut store,
            &[
                line(A, 1, "Sveavägen", "44", "111 34", "gällande"),
                line(B, 1, "Sveavägen", "46", "111 34", "gällande"),
            ],
        );
        let moved = import(
            &mut store,
            &[line(A, 2, "Kungsgatan", "5", "111 43", "gällande")],
        );
        assert_eq!(moved.updated, 1);
        let old = street(&store, "111 34", "Sveavägen").unwrap();
        assert_eq!(old.places.len(), 1);
        assert_eq!(
            street(&store, "111 43", "Kungsgatan").unwrap().places[0].id,
            A
        );

        let gone = import(
            &mut store,
            &[line(B, 2, "Sveavägen", "46", "111 34", "avregistrerad")],
        );
        assert_eq!(gone.removed, 1);
        assert!(
            street(&store, "111 34", "Sveavägen")
                .unwrap()
                .places
                .is_empty()
        );
        assert!(!store.entries.contains_key(&mdm_keys::address_place(B)));
        let postcode: PostcodeDoc =
            serde_json::from_slice(&store.entries[&PostcodeDoc::key("111 34")]).unwrap();
        assert!(postcode.streets.is_empty(), "{postcode:?}");
        let again = import(
            &mut store,
            &[line(B, 2, "Sveavägen", "46", "111 34", "avregistrerad")],
        );
        assert_eq!((again.removed, again.unchanged), (0, 1));
    }

    #[test]
    fn an_older_version_does_not_overwrite_a_newer_one() {
        let mut store = MemoryStore::default();
        import(
            &mut store,
            &[line(A, 3, "Sveavägen", "44", "111 34", "gällande")],
        );
        let stale = import(
            &mut store,
            &[line(A, 2, "Sveavägen", "48", "111 34", "gällande")],
        );
        assert_eq!(stale.unchanged, 1);
        assert_eq!(
            street(&store, "111 34", "Sveavägen").unwrap().places[0]
                .number
                .as_deref(),
            Some("44")
        );
    }

    #[test]
    fn a_place_given_twice_keeps_the_last_line() {
        let mut store = MemoryStore::default();
        let tally = import(
            &mut store,
            &[
                line(A, 1, "Sveavägen", "44", "111 34", "gällande"),
                line(A, 1, "Sveavägen", "48", "111 34", "gällande"),
            ],
        );
        assert_eq!(tally.created, 1);
        assert_eq!(tally.errors.len(), 1);
        assert_eq!(tally.errors[0].line, 1);
        assert_eq!(
            street(&store, "111 34", "Sveavägen").unwrap().places[0]
                .number
                .as_deref(),
            Some("48")
        );
    }

    #[test]
    fn an_import_that_stops_half_way_is_repaired_by_running_it_again() {
        let lines = [
            line(A, 1, "Sveavägen", "44", "111 34", "gällande"),
            line(B, 1, "Kungsgatan", "5", "111 43", "gällande"),
        ];
        let mut clean = MemoryStore::default();
        import(&mut clean, &lines);
        for crash_after in 0..8 {
            let mut store = CrashingStore::after(crash_after);
            let batch = fixture::batch(&lines.join("\n"));
            let _ = apply(&mut store, batch.clone());
            store.writes_left = usize::MAX;
            apply(&mut store, batch).unwrap();
            assert_eq!(
                store.inner.entries, clean.entries,
                "crash after {crash_after} writes"
            );
        }
    }
}
