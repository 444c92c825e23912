//! The platform's documents in the key-value store. Every function reads and
//! writes through here, with the key layout of [`mdm_keys`] (shared with the host), and
//! every write is a compare-and-swap (`wasi:keyvalue/atomics`), never a blind
//! overwrite.
//!
//! Invariant: nothing here knows HTTP; errors are typed ([`RepoError`]).

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use mdm_keys as keys;
mod spin_store;

pub use spin_store::SpinKv;

/// What can go wrong reading or writing a document.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RepoError {
    /// The store failed or refused (access denied, backend down).
    #[error("key-value store error: {0}")]
    Store(String),
    /// A stored value is not the JSON the code expects: a bug or a foreign writer.
    #[error("stored value at {key} is not a valid document: {message}")]
    Corrupt { key: String, message: String },
}

/// The atomic key-value operations documents need. Implemented over Spin's
/// `wasi:keyvalue` in [`SpinKv`].
pub trait Kv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, RepoError>;
    /// Values of `keys` in one round trip, in the same order.
    fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, RepoError>;
    /// Writes `value` only if `key` is absent; `Ok(false)` when it exists.
    fn insert_new(&self, key: &str, value: &[u8]) -> Result<bool, RepoError>;
}

/// Reads and decodes a JSON document.
pub fn get_json<T: DeserializeOwned>(kv: &impl Kv, key: &str) -> Result<Option<T>, RepoError> {
    let Some(bytes) = kv.get(key)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| RepoError::Corrupt {
            key: key.to_string(),
            message: e.to_string(),
        })
}

/// Reads ASCII-decimal counters (absent = 0) in one round trip.
pub fn get_counters(kv: &impl Kv, keys: &[String]) -> Result<Vec<u64>, RepoError> {
    kv.get_many(keys)?
        .into_iter()
        .zip(keys)
        .map(|(value, key)| match value {
            None => Ok(0),
            Some(bytes) => std::str::from_utf8(&bytes)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| RepoError::Corrupt {
                    key: key.clone(),
                    message: "not a decimal counter".into(),
                }),
        })
        .collect()
}

/// A stored document as bytes, with the version read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDocument {
    pub version: u64,
    pub bytes: Vec<u8>,
}

#[derive(serde::Deserialize)]
struct VersionOnly {
    version: u64,
}

/// Reads a document without decoding it, only its `version`: for reads that
/// pass the stored JSON through unchanged.
pub fn get_raw(kv: &impl Kv, key: &str) -> Result<Option<RawDocument>, RepoError> {
    let Some(bytes) = kv.get(key)? else {
        return Ok(None);
    };
    let VersionOnly { version } =
        serde_json::from_slice(&bytes).map_err(|e| RepoError::Corrupt {
            key: key.to_string(),
            message: e.to_string(),
        })?;
    Ok(Some(RawDocument { version, bytes }))
}

/// Outcome of [`insert_new_json`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Created,
    AlreadyExists,
}

/// Stores `value` at `key` unless something is already there: the create
/// half of compare-and-swap, so two concurrent creates never both win.
pub fn insert_new_json<T: Serialize>(
    kv: &impl Kv,
    key: &str,
    value: &T,
) -> Result<Inserted, RepoError> {
    let bytes = serde_json::to_vec(value).map_err(|e| RepoError::Corrupt {
        key: key.to_string(),
        message: e.to_string(),
    })?;
    Ok(if kv.insert_new(key, &bytes)? {
        Inserted::Created
    } else {
        Inserted::AlreadyExists
    })
}
