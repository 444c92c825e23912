use std::sync::{Arc, Mutex};

use mdm_store_ops::{CrashingStore, MemoryStore};
use mdm_types::{Ownership, Source, UnitKind, UnitStatus};

use super::*;

const T0: &str = "2026-12-04T10:00:00Z";
const T_LATER: &str = "2026-12-04T10:10:00Z";

fn unit(hsa_id: &str, name: &str) -> Unit {
    Unit {
        hsa_id: hsa_id.into(),
        name: name.into(),
        kind: UnitKind::CareUnit,
        parent: None,
        care_provider: "SE2321000016-0001".into(),
        organisation_number: "2321000016".into(),
        ownership: Ownership::Region,
        source: Source::Mdm,
        status: UnitStatus::Active,
        visiting_address: None,
        postal_address: None,
        contact: None,
        business_classification_codes: Vec::new(),
        care_types: Vec::new(),
        business_type: None,
        municipality_code: None,
        county_code: None,
        valid_from: None,
        valid_to: None,
        version: 0,
        created_at: T0.into(),
        created_by: "test".into(),
        updated_at: T0.into(),
        updated_by: "test".into(),
        change_seq: None,
    }
}

/// Creates or updates `hsa_id` to `name`, reading the current version first.
fn put(store: &mut impl KvOps, hsa_id: &str, name: &str) -> Result<Unit, Conflict> {
    let current = read(store, hsa_id).unwrap();
    let kind = if current.is_some() {
        ChangeKind::Updated
    } else {
        ChangeKind::Created
    };
    commit(store, current.as_ref(), unit(hsa_id, name), kind, T0).unwrap()
}

fn feed(store: &mut impl KvOps, now: &str) -> Vec<(String, u64)> {
    let mut since = 0;
    let mut all = Vec::new();
    loop {
        let page = changes(store, since, 3, now).unwrap();
        if page.next_since == since {
            return all;
        }
        all.extend(page.changes.into_iter().map(|c| (c.hsa_id, c.version)));
        since = page.next_since;
    }
}

#[test]
fn writes_keep_every_version_and_feed_every_change() {
    let mut store = MemoryStore::default();
    assert_eq!(put(&mut store, "SE1-A", "a1").unwrap().version, 1);
    assert_eq!(put(&mut store, "SE1-B", "b1").unwrap().version, 1);
    let a2 = put(&mut store, "SE1-A", "a2").unwrap();
    assert_eq!((a2.version, a2.change_seq), (2, Some(3)));
    let names: Vec<String> = history(&mut store, "SE1-A", 100)
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(names, ["a1", "a2"]);
    assert_eq!(
        feed(&mut store, T0),
        [
            ("SE1-A".into(), 1),
            ("SE1-B".into(), 1),
            ("SE1-A".into(), 2)
        ]
    );
    assert_eq!(history(&mut store, "SE1-C", 10).unwrap(), None);
}

#[test]
fn a_stale_writer_loses_and_its_entry_never_shows() {
    let mut store = MemoryStore::default();
    put(&mut store, "SE1-A", "a1").unwrap();
    let stale = read(&mut store, "SE1-A").unwrap().unwrap();
    put(&mut store, "SE1-A", "a2").unwrap();
    let lost = commit(
        &mut store,
        Some(&stale),
        unit("SE1-A", "lost"),
        ChangeKind::Updated,
        T0,
    )
    .unwrap();
    assert_eq!(lost, Err(Conflict::Changed));
    let again = commit(
        &mut store,
        None,
        unit("SE1-A", "again"),
        ChangeKind::Created,
        T0,
    )
    .unwrap();
    assert_eq!(again, Err(Conflict::Exists));
    assert_eq!(
        feed(&mut store, T0),
        [("SE1-A".into(), 1), ("SE1-A".into(), 2)]
    );
    assert_eq!(read(&mut store, "SE1-A").unwrap().unwrap().unit.name, "a2");
}

#[test]
fn a_write_that_stops_anywhere_leaves_nothing_half_visible() {
    for crash_after in 0..6 {
        let mut store = CrashingStore::after(usize::MAX);
        put(&mut store, "SE1-A", "a1").unwrap();
        store.writes_left = crash_after;
        let current = read(&mut store, "SE1-A").unwrap();
        let crashed = commit(
            &mut store,
            current.as_ref(),
            unit("SE1-A", "a2"),
            ChangeKind::Updated,
            T0,
        );
        store.writes_left = usize::MAX;
        let committed = read(&mut store, "SE1-A").unwrap().unwrap().unit.version == 2;
        // The writes: repair, increment, entry, unit (the commit), history.
        assert_eq!(committed, crash_after >= 4, "crash after {crash_after}");
        assert_eq!(
            crashed.is_ok(),
            crash_after >= 5,
            "crash after {crash_after}"
        );

        // Right after, the feed shows version 2 only if it committed, and
        // never anything beyond an in-flight write.
        let now = feed(&mut store, T0);
        let expected_now: Vec<(String, u64)> = if committed {
            vec![("SE1-A".into(), 1), ("SE1-A".into(), 2)]
        } else {
            vec![("SE1-A".into(), 1)]
        };
        assert_eq!(now, expected_now, "crash after {crash_after}");

        // The next write repairs history and the feed moves on.
        put(&mut store, "SE1-A", "a3").unwrap();
        let versions: Vec<u64> = history(&mut store, "SE1-A", 100)
            .unwrap()
            .unwrap()
            .iter()
            .map(|u| u.version)
            .collect();
        let last = if committed { 3 } else { 2 };
        assert_eq!(
            versions,
            (1..=last).collect::<Vec<_>>(),
            "crash after {crash_after}"
        );
        let later: Vec<u64> = feed(&mut store, T_LATER)
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        assert_eq!(
            later,
            (1..=last).collect::<Vec<_>>(),
            "crash after {crash_after}"
        );
    }
}

#[test]
fn the_feed_waits_for_a_write_in_flight() {
    let mut store = MemoryStore::default();
    put(&mut store, "SE1-A", "a1").unwrap();
    // A writer drew seq 2 and wrote nothing yet; a second one committed 3.
    store.increment(mdm_keys::CHANGE_COUNTER, 1).unwrap();
    put(&mut store, "SE1-B", "b1").unwrap();
    let page = changes(&mut store, 0, 10, T0).unwrap();
    assert_eq!(page.changes.len(), 1);
    assert_eq!(page.next_since, 1, "stops before the hole");
    // Once the hole is older than any request could be, it is passed.
    let page = changes(&mut store, 1, 10, T_LATER).unwrap();
    assert_eq!(page.changes.len(), 1);
    assert_eq!(page.next_since, 3);
}

/// Many threads write one unit, each from the version it read: every
/// attempt either commits or conflicts, and the versions, the history and
/// the feed agree exactly.
#[test]
fn concurrent_writers_never_lose_an_update() {
    struct Shared(Arc<Mutex<MemoryStore>>);
    impl KvOps for Shared {
        fn get_many(&mut self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
            self.0.lock().unwrap().get_many(keys)
        }
        fn compare_and_swap(
            &mut self,
            key: &str,
            expected: Option<&[u8]>,
            new: &[u8],
        ) -> Result<bool, StoreError> {
            std::thread::yield_now();
            self.0.lock().unwrap().compare_and_swap(key, expected, new)
        }
        fn delete(&mut self, key: &str) -> Result<(), StoreError> {
            self.0.lock().unwrap().delete(key)
        }
        fn increment(&mut self, key: &str, delta: i64) -> Result<i64, StoreError> {
            std::thread::yield_now();
            self.0.lock().unwrap().increment(key, delta)
        }
    }
    let memory = Arc::new(Mutex::new(MemoryStore::default()));
    put(&mut Shared(memory.clone()), "SE1-A", "start").unwrap();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let memory = memory.clone();
            std::thread::spawn(move || {
                let mut store = Shared(memory);
                (0..25)
                    .filter(|i| put(&mut store, "SE1-A", &format!("{t}-{i}")).is_ok())
                    .count()
            })
        })
        .collect();
    let applied: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let mut store = Shared(memory);
    let current = read(&mut store, "SE1-A").unwrap().unwrap().unit;
    assert_eq!(current.version, 1 + applied as u64);
    let history = history(&mut store, "SE1-A", 1000).unwrap().unwrap();
    let versions: Vec<u64> = history.iter().map(|u| u.version).collect();
    assert_eq!(versions, (1..=current.version).collect::<Vec<_>>());
    let feed: Vec<u64> = feed(&mut store, T0).into_iter().map(|(_, v)| v).collect();
    assert_eq!(feed, versions);
}

#[test]
fn times_read_as_epoch_seconds() {
    assert_eq!(epoch_seconds("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(epoch_seconds("2026-12-04T10:00:00Z"), Some(1_796_378_400));
    assert_eq!(epoch_seconds("2000-03-01T00:00:00.5Z"), Some(951_868_800));
    assert_eq!(epoch_seconds("yesterday"), None);
}

mod searching {
    use super::*;
    use crate::search::{Cursor, Query, SCAN_BUDGET, search};

    fn named(
        store: &mut MemoryStore,
        hsa_id: &str,
        name: &str,
        municipality: &str,
        parent: Option<&str>,
    ) {
        let current = read(store, hsa_id).unwrap();
        let mut next = unit(hsa_id, name);
        next.municipality_code = Some(municipality.into());
        next.parent = parent.map(Into::into);
        next.care_types = vec!["01".into()];
        let kind = if current.is_some() {
            ChangeKind::Updated
        } else {
            ChangeKind::Created
        };
        commit(store, current.as_ref(), next, kind, T0)
            .unwrap()
            .unwrap();
    }

    fn ids(store: &mut MemoryStore, query: &Query, limit: usize) -> Vec<String> {
        let mut all = Vec::new();
        let mut cursor: Option<Cursor> = None;
        loop {
            let page = search(store, query, limit, cursor.as_ref())
                .unwrap()
                .unwrap();
            all.extend(
                page.units
                    .iter()
                    .map(|b| serde_json::from_slice::<Unit>(b).unwrap().hsa_id),
            );
            match page.next {
                Some(next) => cursor = Some(next),
                None => {
                    all.sort();
                    return all;
                }
            }
        }
    }

    #[test]
    fn names_match_by_word_prefix_ignoring_case_and_accents() {
        let mut store = MemoryStore::default();
        named(&mut store, "SE1-A", "Vårdcentral Farsta", "0180", None);
        named(&mut store, "SE1-B", "Barnmottagning Solna", "0184", None);
        named(&mut store, "SE1-C", "VARDCENTRAL Solna", "0184", None);
        let query = |name: &str| Query {
            name: Some(name.into()),
            ..Query::default()
        };
        assert_eq!(ids(&mut store, &query("vardc"), 10), ["SE1-A", "SE1-C"]);
        assert_eq!(ids(&mut store, &query("Vårdcentral sol"), 10), ["SE1-C"]);
        assert_eq!(ids(&mut store, &query("solna"), 10), ["SE1-B", "SE1-C"]);
        assert!(
            ids(&mut store, &query("entral"), 10).is_empty(),
            "prefixes, not substrings"
        );
        assert!(search(&mut store, &query("vå"), 10, None).unwrap().is_err());
        assert!(
            search(&mut store, &Query::default(), 10, None)
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn a_changed_unit_leaves_its_old_index_entries() {
        let mut store = MemoryStore::default();
        named(
            &mut store,
            "SE1-A",
            "Vårdcentral Farsta",
            "0180",
            Some("SE1-P"),
        );
        named(
            &mut store,
            "SE1-A",
            "Mottagning Farsta",
            "0184",
            Some("SE1-Q"),
        );
        let by = |q: Query| q;
        assert!(
            ids(
                &mut store,
                &by(Query {
                    municipality: Some("0180".into()),
                    ..Query::default()
                }),
                10
            )
            .is_empty()
        );
        assert_eq!(
            ids(
                &mut store,
                &by(Query {
                    municipality: Some("0184".into()),
                    ..Query::default()
                }),
                10
            ),
            ["SE1-A"]
        );
        assert!(
            ids(
                &mut store,
                &by(Query {
                    parent: Some("SE1-P".into()),
                    ..Query::default()
                }),
                10
            )
            .is_empty()
        );
        assert_eq!(
            ids(
                &mut store,
                &by(Query {
                    parent: Some("SE1-Q".into()),
                    ..Query::default()
                }),
                10
            ),
            ["SE1-A"]
        );
        assert!(
            ids(
                &mut store,
                &by(Query {
                    name: Some("vårdc".into()),
                    ..Query::default()
                }),
                10
            )
            .is_empty()
        );
    }

    #[test]
    fn pages_cover_every_match_once_and_combine_criteria() {
        let mut store = MemoryStore::default();
        for i in 0..120 {
            let municipality = if i % 3 == 0 { "0180" } else { "0184" };
            named(
                &mut store,
                &format!("SE1-U{i:03}"),
                &format!("Mottagning {i}"),
                municipality,
                None,
            );
        }
        let all = ids(
            &mut store,
            &Query {
                kind: Some("care-unit".into()),
                ..Query::default()
            },
            7,
        );
        assert_eq!(all.len(), 120);
        let both = Query {
            kind: Some("care-unit".into()),
            municipality: Some("0180".into()),
            care_type: Some("01".into()),
            ..Query::default()
        };
        assert_eq!(ids(&mut store, &both, 5).len(), 40);
        let none = Query {
            municipality: Some("0180".into()),
            care_type: Some("02".into()),
            ..Query::default()
        };
        assert!(ids(&mut store, &none, 5).is_empty());
    }

    #[test]
    fn a_request_examines_a_bounded_number_of_candidates() {
        let mut store = MemoryStore::default();
        let units: Vec<Unit> = (0..SCAN_BUDGET + 500)
            .map(|i| {
                let mut u = unit(&format!("SE1-V{i:05}"), "Mottagning");
                u.municipality_code = Some("0180".into());
                u
            })
            .collect();
        for u in &units {
            store
                .compare_and_swap(
                    &mdm_keys::unit(&u.hsa_id),
                    None,
                    &serde_json::to_vec(u).unwrap(),
                )
                .unwrap();
        }
        crate::search::index_all(&mut store, &units).unwrap();
        // Nothing matches the second criterion: the first page stops at the
        // budget with a cursor instead of reading the whole facet.
        let query = Query {
            kind: Some("care-unit".into()),
            status: Some("retired".into()),
            ..Query::default()
        };
        let before = store.round_trips;
        let page = search(&mut store, &query, 10, None).unwrap().unwrap();
        assert!(page.units.is_empty());
        assert!(page.next.is_some());
        assert!(
            store.round_trips - before < SCAN_BUDGET / 8,
            "batched reads"
        );
        assert!(ids(&mut store, &query, 10).is_empty());
    }
}

#[test]
fn index_edits_a_stopped_write_missed_are_made_by_the_next_write() {
    use crate::search::{Query, search};
    // The create's increment, entry, unit and history; its index edits fail.
    let mut store = CrashingStore::after(4);
    let mut first = unit("SE1-A", "Vårdcentral Farsta");
    first.municipality_code = Some("0180".into());
    commit(&mut store, None, first.clone(), ChangeKind::Created, T0)
        .unwrap()
        .unwrap();
    store.writes_left = usize::MAX;
    let query = Query {
        municipality: Some("0180".into()),
        ..Query::default()
    };
    let found = |store: &mut CrashingStore| {
        search(store, &query, 10, None)
            .unwrap()
            .unwrap()
            .units
            .len()
    };
    assert_eq!(found(&mut store), 0, "the index missed the unit");

    // The next write changes only the name, yet puts the municipality back.
    let current = read(&mut store, "SE1-A").unwrap().unwrap();
    let mut renamed = first;
    renamed.name = "Vårdcentral Farsta centrum".into();
    commit(
        &mut store,
        Some(&current),
        renamed.clone(),
        ChangeKind::Updated,
        T0,
    )
    .unwrap()
    .unwrap();
    assert_eq!(found(&mut store), 1);

    // With the record up to date, a write edits only what changed.
    let current = read(&mut store, "SE1-A").unwrap().unwrap();
    let before = store.inner.round_trips;
    renamed.name = "Vårdcentral Farsta centrum norr".into();
    commit(&mut store, Some(&current), renamed, ChangeKind::Updated, T0)
        .unwrap()
        .unwrap();
    assert!(
        store.inner.round_trips - before <= 10,
        "{}",
        store.inner.round_trips - before
    );
}
