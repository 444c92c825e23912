//! The unit registry's storage: one document per unit, written only by
//! compare-and-swap on its version; every version kept; a change feed with a
//! strictly increasing sequence. No I/O of its own: it works through
//! [`KvOps`], so the components run it over Spin's key-value API and the
//! tests over [`mdm_store_ops::MemoryStore`].
//!
//! ## A write, and why in this order
//! 1. **Repair**: the current version's history document is put if absent
//!    (a writer that stopped after step 4 left it missing).
//! 2. **Sequence**: `seq` = atomic increment of the change counter.
//! 3. **Change entry** `change/{seq}` = (HSA-id, new version, kind, time).
//! 4. **The unit** is swapped from the version read to the new one, which
//!    records `change_seq = seq`. This is the commit: if the swap fails, a
//!    concurrent writer won, the entry is marked void and the caller answers
//!    412/409.
//! 5. **History**: the new version's document is put if absent.
//! 6. **Indexes** ([`search`]) follow the new version.
//!
//! A change entry counts only with evidence that its write committed: the
//! unit's current document or the history document of that version carries
//! its `seq`. So a reader never sees a change that did not happen, and a
//! crash at any point leaves nothing half-visible: at worst an entry without
//! evidence (skipped) and a missing history document (step 1 of the next
//! write puts it back).
//!
//! ## Reading the feed without gaps
//! Sequence numbers are drawn before their write commits, so a reader may
//! meet an entry (or a hole) whose write is still in flight while later ones
//! have committed. The feed stops there instead of skipping it: a consumer
//! that advanced past it would miss the change when it commits. An entry or
//! hole is given up as dead once it is older than [`IN_FLIGHT_SECONDS`] (a request
//! cannot live that long), judged by the entry's own time or, for a hole,
//! by a later entry's time.

pub mod search;

use mdm_store_ops::{KvOps, StoreError};
use mdm_types::{Change, ChangeKind, ChangePage, Unit};
use serde::{Deserialize, Serialize};

/// How long a write may be in flight, in seconds: longer than any
/// request's deadline.
pub const IN_FLIGHT_SECONDS: i64 = 120;
/// Most changes one page of the feed returns.
pub const MAX_PAGE: u64 = 1000;

/// A change entry as stored: the feed's record plus whether its write lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct StoredChange {
    #[serde(flatten)]
    change: Change,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    void: bool,
}

/// A unit as read, with the bytes a compare-and-swap must expect.
#[derive(Debug, Clone, PartialEq)]
pub struct Current {
    pub bytes: Vec<u8>,
    pub unit: Unit,
}

/// Why a write did not happen.
#[derive(Debug, Clone, PartialEq)]
pub enum Conflict {
    /// A create found the unit already there.
    Exists,
    /// The unit changed since it was read (another writer won).
    Changed,
}

fn corrupt(key: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError(format!(
        "stored value at {key} is not a valid document: {e}"
    ))
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("registry documents always serialise")
}

/// Reads a unit's current document.
pub fn read(store: &mut impl KvOps, hsa_id: &str) -> Result<Option<Current>, StoreError> {
    let key = mdm_keys::unit(hsa_id);
    let Some(bytes) = store.get_many(std::slice::from_ref(&key))?.remove(0) else {
        return Ok(None);
    };
    let unit = serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?;
    Ok(Some(Current { bytes, unit }))
}

/// Writes `next` as the new version of its unit, `current` being what the
/// caller read (and checked its precondition against). The caller sets
/// every field of `next` but the version and `change_seq`, which are set
/// here. Returns the unit as stored.
pub fn commit(
    store: &mut impl KvOps,
    current: Option<&Current>,
    mut next: Unit,
    kind: ChangeKind,
    now: &str,
) -> Result<Result<Unit, Conflict>, StoreError> {
    let hsa_id = next.hsa_id.clone();
    let unit_key = mdm_keys::unit(&hsa_id);
    if let Some(current) = current {
        // 1. Repair a history document a stopped writer left missing.
        store.compare_and_swap(
            &mdm_keys::unit_version(&hsa_id, current.unit.version),
            None,
            &current.bytes,
        )?;
    }
    next.version = current.map_or(1, |c| c.unit.version + 1);

    // 2. and 3.: the sequence number and the change entry.
    let seq = u64::try_from(store.increment(mdm_keys::CHANGE_COUNTER, 1)?)
        .map_err(|_| StoreError("the change counter is negative".into()))?;
    next.change_seq = Some(seq);
    let entry = StoredChange {
        change: Change {
            seq,
            hsa_id: hsa_id.clone(),
            version: next.version,
            kind,
            at: now.to_string(),
        },
        void: false,
    };
    let entry_key = mdm_keys::change(seq);
    let entry_bytes = encode(&entry);
    store.compare_and_swap(&entry_key, None, &entry_bytes)?;

    // 4. The commit.
    let bytes = encode(&next);
    let expected = current.map(|c| c.bytes.as_slice());
    if !store.compare_and_swap(&unit_key, expected, &bytes)? {
        // Readers would skip the entry anyway (no evidence); marking it
        // void lets them do so without waiting.
        let void = encode(&StoredChange {
            void: true,
            ..entry
        });
        store.compare_and_swap(&entry_key, Some(&entry_bytes), &void)?;
        return Ok(Err(if current.is_none() {
            Conflict::Exists
        } else {
            Conflict::Changed
        }));
    }
    // 5. History of the new version.
    store.compare_and_swap(&mdm_keys::unit_version(&hsa_id, next.version), None, &bytes)?;
    // 6. The indexes. The write has committed: a failure here is repaired by
    // the unit's next write and must not turn a done write into an error.
    if let Err(e) = search::update(store, current.map(|c| &c.unit), &next) {
        eprintln!("unit {hsa_id}: indexes not updated ({e}); its next write repairs them");
    }
    Ok(Ok(next))
}

/// Every version of a unit, oldest first, at most `limit` ending with the
/// current one; `None` when the unit does not exist.
pub fn history(
    store: &mut impl KvOps,
    hsa_id: &str,
    limit: u64,
) -> Result<Option<Vec<Unit>>, StoreError> {
    let Some(current) = read(store, hsa_id)? else {
        return Ok(None);
    };
    let last = current.unit.version;
    let first = last.saturating_sub(limit.max(1) - 1).max(1);
    let keys: Vec<String> = (first..last)
        .map(|v| mdm_keys::unit_version(hsa_id, v))
        .collect();
    let mut versions = Vec::with_capacity(keys.len() + 1);
    for (key, bytes) in keys.iter().zip(store.get_many(&keys)?) {
        // Versions from before the history existed (seed data) are absent.
        if let Some(bytes) = bytes {
            versions.push(serde_json::from_slice(&bytes).map_err(|e| corrupt(key, e))?);
        }
    }
    versions.push(current.unit);
    Ok(Some(versions))
}

/// Seconds since the epoch of an RFC 3339 UTC time (`YYYY-MM-DDTHH:MM:SS…Z`);
/// `None` when it is not one.
pub fn epoch_seconds(time: &str) -> Option<i64> {
    let b = time.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !time.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| time.get(r)?.parse::<i64>().ok();
    let day = mdm_keys::Day::from_ymd(
        num(0..4)?,
        u32::try_from(num(5..7)?).ok()?,
        u32::try_from(num(8..10)?).ok()?,
    )?;
    let days = mdm_keys::Day::from_ymd(1970, 1, 1)?.days_until(day);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// A page of the change feed after `since`, at most `limit` changes, read
/// at time `now`.
pub fn changes(
    store: &mut impl KvOps,
    since: u64,
    limit: u64,
    now: &str,
) -> Result<ChangePage, StoreError> {
    let limit = limit.clamp(1, MAX_PAGE);
    let counter_key = mdm_keys::CHANGE_COUNTER.to_string();
    let allocated: u64 = match store
        .get_many(std::slice::from_ref(&counter_key))?
        .remove(0)
    {
        None => 0,
        Some(bytes) => std::str::from_utf8(&bytes)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| corrupt(&counter_key, "not a counter"))?,
    };
    let last = allocated.min(since.saturating_add(limit));
    if last <= since {
        return Ok(ChangePage {
            changes: Vec::new(),
            next_since: since,
        });
    }
    let seqs: Vec<u64> = (since + 1..=last).collect();
    let keys: Vec<String> = seqs.iter().map(|s| mdm_keys::change(*s)).collect();
    let mut entries: Vec<Option<StoredChange>> = Vec::with_capacity(keys.len());
    for (key, bytes) in keys.iter().zip(store.get_many(&keys)?) {
        entries.push(
            bytes
                .map(|b| serde_json::from_slice(&b).map_err(|e| corrupt(key, e)))
                .transpose()?,
        );
    }
    // Evidence, in one round trip: the history document of each entry's
    // version and the unit's current document.
    let live: Vec<&StoredChange> = entries.iter().flatten().filter(|e| !e.void).collect();
    let mut evidence_keys = Vec::with_capacity(live.len() * 2);
    for entry in &live {
        evidence_keys.push(mdm_keys::unit_version(
            &entry.change.hsa_id,
            entry.change.version,
        ));
        evidence_keys.push(mdm_keys::unit(&entry.change.hsa_id));
    }
    let evidence = if evidence_keys.is_empty() {
        Vec::new()
    } else {
        store.get_many(&evidence_keys)?
    };
    let seq_of = |bytes: &Option<Vec<u8>>| -> Option<(u64, Option<u64>)> {
        #[derive(Deserialize)]
        struct Marks {
            version: u64,
            change_seq: Option<u64>,
        }
        let marks: Marks = serde_json::from_slice(bytes.as_ref()?).ok()?;
        Some((marks.version, marks.change_seq))
    };
    let committed = |index: usize, change: &Change| -> bool {
        let history = seq_of(&evidence[2 * index]);
        let current = seq_of(&evidence[2 * index + 1]);
        history.is_some_and(|(_, s)| s == Some(change.seq))
            || current.is_some_and(|(v, s)| v == change.version && s == Some(change.seq))
    };

    let now = epoch_seconds(now).unwrap_or(i64::MAX);
    let dead = |at: &str| epoch_seconds(at).is_none_or(|t| now - t > IN_FLIGHT_SECONDS);
    let mut page = Vec::new();
    let mut next_since = since;
    let mut live_index = 0;
    for (i, (seq, entry)) in seqs.iter().zip(&entries).enumerate() {
        match entry {
            Some(entry) if entry.void => {}
            Some(entry) => {
                let index = live_index;
                live_index += 1;
                if committed(index, &entry.change) {
                    page.push(entry.change.clone());
                } else if !dead(&entry.change.at) {
                    break;
                }
            }
            None => {
                // A hole: its writer stopped before writing the entry, or is
                // about to. It is dead if a later entry is old enough.
                let later_is_old = entries[i + 1..]
                    .iter()
                    .flatten()
                    .any(|e| dead(&e.change.at));
                if !later_is_old {
                    break;
                }
            }
        }
        next_since = *seq;
    }
    Ok(ChangePage {
        changes: page,
        next_since,
    })
}

#[cfg(test)]
mod tests;
