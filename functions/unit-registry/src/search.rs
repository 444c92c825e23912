//! Secondary indexes and search. Spin's key-value API has no scans, so the
//! registry keeps its own indexes: for each searchable facet value, the
//! HSA-ids of the units that have it, split over [`SHARDS`] documents by a
//! hash of the HSA-id (`unit-index/{facet}/{value}/{shard}`), so no single
//! document holds a whole facet of a big register and a write rewrites one
//! small document per facet.
//!
//! Indexes are maintained after the unit is committed: only the memberships
//! that changed are edited, and `unit-indexed/{hsa-id}` then records the
//! version whose edits are all made. A write that stopped before its index
//! edits leaves the index short of one id (the next write of that unit finds
//! the record behind and puts every membership back) or with one id too many
//! (search checks every candidate against the unit's document, so it is
//! never returned wrongly).
//!
//! A search walks one facet's shards in order (the most selective facet
//! given), reads the candidates' documents in batches and keeps those that
//! meet every criterion. It examines at most [`SCAN_BUDGET`] candidates per
//! request, so its cost does not grow with the register: a page may hold
//! fewer than `limit` units and still have a cursor for the next.

use std::collections::{BTreeMap, BTreeSet};

use mdm_store_ops::{KvOps, StoreError};
use mdm_types::Unit;

/// Shards per facet value: at 50,000 units the biggest facet value (a
/// status, a kind) keeps well under a thousand ids per document.
pub const SHARDS: u8 = 64;
/// Shard documents read per round trip after the first (which is read
/// alone: an unselective search usually fills its page from it).
const SHARD_BATCH: u8 = 8;
/// Candidates examined per search request at most.
pub const SCAN_BUDGET: usize = 1000;
/// Units per page at most.
pub const MAX_LIMIT: usize = 200;
/// Index documents are rewritten by compare-and-swap; attempts per key.
const CAS_ATTEMPTS: usize = 16;

/// The searchable facets, most selective first: the order in which a
/// search picks the facet it walks.
pub const FACETS: [&str; 8] = [
    "parent",
    "care-provider",
    "name",
    "business-classification",
    "care-type",
    "municipality",
    "kind",
    "status",
];

fn shard_of(hsa_id: &str) -> u8 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in hsa_id.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    u8::try_from(hash % u32::from(SHARDS)).unwrap_or(0)
}

/// Lower case without accents, for case- and accent-insensitive names.
pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' | 'ä' | 'à' | 'á' | 'â' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' | 'û' => 'u',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            other => other,
        })
        .collect()
}

/// The words of a name, folded.
pub fn words(name: &str) -> Vec<String> {
    fold(name)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The index key of a name word: its first three characters.
fn name_prefix(word: &str) -> String {
    word.chars().take(3).collect()
}

fn kebab<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Every (facet, value) a unit is found under.
pub fn memberships(unit: &Unit) -> BTreeSet<(&'static str, String)> {
    let mut set = BTreeSet::new();
    if let Some(parent) = &unit.parent {
        set.insert(("parent", parent.clone()));
    }
    set.insert(("care-provider", unit.care_provider.clone()));
    for word in words(&unit.name) {
        set.insert(("name", name_prefix(&word)));
    }
    for code in &unit.business_classification_codes {
        set.insert(("business-classification", code.clone()));
    }
    for code in &unit.care_types {
        set.insert(("care-type", code.clone()));
    }
    if let Some(code) = &unit.municipality_code {
        set.insert(("municipality", code.clone()));
    }
    set.insert(("kind", kebab(&unit.kind)));
    set.insert(("status", kebab(&unit.status)));
    set
}

fn index_key(facet: &str, value: &str, hsa_id: &str) -> String {
    mdm_keys::unit_index(facet, value, shard_of(hsa_id))
}

fn decode_ids(key: &str, bytes: Option<Vec<u8>>) -> Result<BTreeSet<String>, StoreError> {
    match bytes {
        None => Ok(BTreeSet::new()),
        Some(b) => serde_json::from_slice(&b)
            .map_err(|e| StoreError(format!("index document {key} is not valid: {e}"))),
    }
}

/// Applies `edits` (ids to add, ids to remove) to each index key by
/// compare-and-swap: one read of all keys, writes only where something
/// changes, a re-read and retry on a conflict.
fn edit(
    store: &mut impl KvOps,
    edits: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
) -> Result<(), StoreError> {
    let keys: Vec<String> = edits.keys().cloned().collect();
    for chunk in keys.chunks(256) {
        let current = store.get_many(chunk)?;
        for (key, mut bytes) in chunk.iter().zip(current) {
            let (add, remove) = &edits[key];
            for attempt in 0.. {
                let ids = decode_ids(key, bytes.clone())?;
                let mut next = ids.clone();
                next.extend(add.iter().cloned());
                next.retain(|id| !remove.contains(id));
                if next == ids {
                    break;
                }
                let encoded = serde_json::to_vec(&next).expect("a list of strings serialises");
                if store.compare_and_swap(key, bytes.as_deref(), &encoded)? {
                    break;
                }
                if attempt + 1 == CAS_ATTEMPTS {
                    return Err(StoreError(format!(
                        "{key} kept changing under concurrent writers"
                    )));
                }
                bytes = store.get_many(std::slice::from_ref(key))?.remove(0);
            }
        }
    }
    Ok(())
}

/// Brings the indexes in line with a unit's write from `old` to `new`: the
/// memberships that changed, or every membership of `new` when the last
/// write's edits are not known to be complete (repairing a stopped write).
pub fn update(store: &mut impl KvOps, old: Option<&Unit>, new: &Unit) -> Result<(), StoreError> {
    let marker_key = mdm_keys::unit_indexed(&new.hsa_id);
    let marker = store.get_many(std::slice::from_ref(&marker_key))?.remove(0);
    let marked: Option<u64> = marker
        .as_deref()
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|s| s.parse().ok());
    // Seed data is indexed when loaded and has no change sequence.
    let old_complete = old.is_none_or(|o| o.change_seq.is_none() || marked == o.change_seq);
    let before = old.map(memberships).unwrap_or_default();
    let now = memberships(new);
    let mut edits: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for (facet, value) in &now {
        if old_complete && before.contains(&(*facet, value.clone())) {
            continue;
        }
        edits
            .entry(index_key(facet, value, &new.hsa_id))
            .or_default()
            .0
            .insert(new.hsa_id.clone());
    }
    for (facet, value) in before.difference(&now) {
        edits
            .entry(index_key(facet, value, &new.hsa_id))
            .or_default()
            .1
            .insert(new.hsa_id.clone());
    }
    edit(store, edits)?;
    if let Some(seq) = new.change_seq {
        // A concurrent later write may have moved the record on; then it
        // stands (it is newer).
        store.compare_and_swap(&marker_key, marker.as_deref(), seq.to_string().as_bytes())?;
    }
    Ok(())
}

/// Indexes many units at once (loading seed data): each index document is
/// read and written once.
pub fn index_all(store: &mut impl KvOps, units: &[Unit]) -> Result<(), StoreError> {
    let mut edits: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for unit in units {
        for (facet, value) in memberships(unit) {
            edits
                .entry(index_key(facet, &value, &unit.hsa_id))
                .or_default()
                .0
                .insert(unit.hsa_id.clone());
        }
    }
    edit(store, edits)
}

/// A search: every given criterion must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// Words; each must start a word of the unit's name (case and accents
    /// ignored). Each at least three characters.
    pub name: Option<String>,
    pub municipality: Option<String>,
    pub kind: Option<String>,
    pub care_type: Option<String>,
    pub business_classification: Option<String>,
    pub care_provider: Option<String>,
    pub parent: Option<String>,
    pub status: Option<String>,
    /// RFC 3339 time or date: units updated at or after it.
    pub updated_since: Option<String>,
}

/// Where a search goes on: a shard and the last HSA-id returned in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub shard: u8,
    pub after: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.shard, self.after)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (shard, after) = text.split_once('.')?;
        let shard: u8 = shard.parse().ok().filter(|s| *s < SHARDS)?;
        Some(Self {
            shard,
            after: after.to_string(),
        })
    }
}

/// A page of results: the matching units' stored JSON, in index order.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub units: Vec<Vec<u8>>,
    pub next: Option<Cursor>,
}

/// Why a query cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(pub String);

impl Query {
    /// The facet walked and its value: the most selective criterion given.
    fn driver(&self) -> Result<(&'static str, String), QueryError> {
        if let Some(name) = &self.name {
            let words = words(name);
            if words.is_empty() || words.iter().any(|w| w.chars().count() < 3) {
                return Err(QueryError(
                    "name: give words of at least three letters".into(),
                ));
            }
        }
        let longest_name_word = self
            .name
            .as_deref()
            .map(words)
            .and_then(|w| w.into_iter().max_by_key(|w| w.chars().count()));
        let candidates = [
            ("parent", self.parent.clone()),
            ("care-provider", self.care_provider.clone()),
            ("name", longest_name_word.as_deref().map(name_prefix)),
            (
                "business-classification",
                self.business_classification.clone(),
            ),
            ("care-type", self.care_type.clone()),
            ("municipality", self.municipality.clone()),
            ("kind", self.kind.clone()),
            ("status", self.status.clone()),
        ];
        candidates
            .into_iter()
            .find_map(|(facet, value)| value.map(|v| (facet, v)))
            .ok_or_else(|| {
                QueryError(
                    "give at least one of name, municipality, kind, care_type, business_classification, care_provider, parent, status; to copy the whole registry, follow /api/v1/changes".into(),
                )
            })
    }

    fn matches(&self, unit: &Unit) -> bool {
        let eq = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| have == Some(w))
        };
        let name_words = words(&unit.name);
        eq(&self.municipality, unit.municipality_code.as_deref())
            && eq(&self.kind, Some(&kebab(&unit.kind)))
            && eq(&self.status, Some(&kebab(&unit.status)))
            && eq(&self.care_provider, Some(&unit.care_provider))
            && eq(&self.parent, unit.parent.as_deref())
            && self
                .care_type
                .as_ref()
                .is_none_or(|c| unit.care_types.contains(c))
            && self
                .business_classification
                .as_ref()
                .is_none_or(|c| unit.business_classification_codes.contains(c))
            && self.name.as_deref().is_none_or(|name| {
                words(name)
                    .iter()
                    .all(|q| name_words.iter().any(|w| w.starts_with(q.as_str())))
            })
            && self
                .updated_since
                .as_deref()
                .is_none_or(|since| unit.updated_at.as_str() >= since)
    }
}

/// Runs `query` from `cursor`, returning at most `limit` units.
pub fn search(
    store: &mut impl KvOps,
    query: &Query,
    limit: usize,
    cursor: Option<&Cursor>,
) -> Result<Result<Page, QueryError>, StoreError> {
    let (facet, value) = match query.driver() {
        Ok(driver) => driver,
        Err(e) => return Ok(Err(e)),
    };
    let limit = limit.clamp(1, MAX_LIMIT);
    let mut found = Vec::new();
    let mut examined = 0;
    let mut shard = cursor.map_or(0, |c| c.shard);
    let mut after = cursor.map(|c| c.after.clone());
    let mut batch = 1;
    while shard < SHARDS {
        let shards: Vec<u8> = (shard..SHARDS.min(shard.saturating_add(batch))).collect();
        let keys: Vec<String> = shards
            .iter()
            .map(|s| mdm_keys::unit_index(facet, &value, *s))
            .collect();
        let docs = store.get_many(&keys)?;
        batch = SHARD_BATCH;
        for ((this_shard, key), bytes) in shards.iter().zip(&keys).zip(docs) {
            // Stored sorted: read as a plain list, no set to build.
            let ids: Vec<String> = match bytes {
                None => Vec::new(),
                Some(b) => serde_json::from_slice(&b)
                    .map_err(|e| StoreError(format!("index document {key} is not valid: {e}")))?,
            };
            let start = match &after {
                Some(a) => ids.partition_point(|id| id <= a),
                None => 0,
            };
            for candidates in ids[start..].chunks(limit.clamp(32, 64)) {
                let unit_keys: Vec<String> =
                    candidates.iter().map(|id| mdm_keys::unit(id)).collect();
                for (id, bytes) in candidates.iter().zip(store.get_many(&unit_keys)?) {
                    examined += 1;
                    if let Some(bytes) = bytes
                        && serde_json::from_slice::<Unit>(&bytes).is_ok_and(|u| query.matches(&u))
                    {
                        found.push(bytes);
                    }
                    if found.len() == limit || examined >= SCAN_BUDGET {
                        return Ok(Ok(Page {
                            units: found,
                            next: Some(Cursor {
                                shard: *this_shard,
                                after: id.clone(),
                            }),
                        }));
                    }
                }
            }
            after = None;
        }
        shard = shards.last().map_or(SHARDS, |s| s + 1);
    }
    Ok(Ok(Page {
        units: found,
        next: None,
    }))
}
