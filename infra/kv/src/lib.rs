//! Key-value backends (SQLite, Redis) behind one trait, with Spin's semantics.
//!
//! The host implements Spin's `fermyon:spin/key-value@2.0.0` and
//! `wasi:keyvalue@0.2.0-draft2` (store, atomics, batch) on top of [`Store`];
//! this crate knows nothing about wasmtime. There is one trait and two
//! engines:
//!
//! * [`SqliteBackend`] (the default): one SQLite file holding every store,
//!   in Spin's own table layout so data files are interchangeable with
//!   `spin up`. [`SqliteBackend::store`] hands out one [`SqliteStore`] per
//!   store label.
//! * [`RedisStore`]: one Redis database per store label, keys used as-is,
//!   exactly like Spin's Redis key-value provider.
//!
//! Both engines pass the same conformance suite (`tests/conformance`).
//!
//! Counters written by [`Store::increment`] are stored as ASCII decimal on
//! both engines, so a `get` of a counter returns e.g. `b"42"` either way.

#![warn(missing_docs)]

mod redis_store;
mod sqlite;

use async_trait::async_trait;

pub use redis_store::RedisStore;
pub use sqlite::{SqliteBackend, SqliteStore};

/// Errors a store operation can return.
///
/// Every message is safe to show to a guest component: it never contains
/// credentials or host file paths beyond what the operator configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The backend failed (I/O, lock timeout, connection loss, ...). The
    /// message says what happened and is safe to show.
    #[error("{0}")]
    Other(String),
    /// [`Store::increment`] found a value that is not a canonical ASCII
    /// decimal 64-bit integer. The value is left untouched rather than
    /// silently overwritten.
    #[error("the value of key {key:?} is not a decimal 64-bit integer")]
    NotACounter {
        /// The key whose value could not be read as a counter.
        key: String,
    },
    /// [`Store::increment`] would overflow a signed 64-bit integer. The value
    /// is left untouched.
    #[error("incrementing key {key:?} by {delta} overflows a 64-bit integer")]
    Overflow {
        /// The counter's key.
        key: String,
        /// The delta that could not be applied.
        delta: i64,
    },
}

/// One key-value store (one Spin store label), as seen by the host.
///
/// Keys are UTF-8 strings, values arbitrary bytes (including empty and NUL
/// bytes). An empty value is distinct from an absent key. Every method is a
/// single atomic operation against the backend; the batch methods are
/// all-or-nothing and observed all-or-nothing by readers.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Returns the value of `key`, or `None` when the key is absent.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error>;

    /// Sets `key` to `value`, creating or overwriting it.
    async fn set(&self, key: &str, value: &[u8]) -> Result<(), Error>;

    /// Removes `key`. Removing an absent key is not an error.
    async fn delete(&self, key: &str) -> Result<(), Error>;

    /// Tells whether `key` is present.
    async fn exists(&self, key: &str) -> Result<bool, Error>;

    /// Returns every key of this store, in no particular order, each once.
    async fn get_keys(&self) -> Result<Vec<String>, Error>;

    /// Reads several keys from one consistent snapshot. The result has one
    /// entry per requested key, in the same order (duplicates included), with
    /// `None` for absent keys.
    async fn get_many(&self, keys: &[String]) -> Result<Vec<(String, Option<Vec<u8>>)>, Error>;

    /// Sets several keys atomically: either every entry is written or none
    /// is, and no reader sees a partial batch. When a key appears more than
    /// once, the last entry wins.
    async fn set_many(&self, entries: &[(String, Vec<u8>)]) -> Result<(), Error>;

    /// Removes several keys atomically; absent keys are ignored.
    async fn delete_many(&self, keys: &[String]) -> Result<(), Error>;

    /// Atomically adds `delta` to the counter at `key` and returns the new
    /// value.
    ///
    /// The counter is stored as canonical ASCII decimal (`b"42"`, `b"-7"`);
    /// an absent key counts as 0. An existing value that is not a canonical
    /// decimal `i64` is [`Error::NotACounter`], an overflow is
    /// [`Error::Overflow`]; in both cases the value is left unchanged.
    async fn increment(&self, key: &str, delta: i64) -> Result<i64, Error>;

    /// Atomically replaces the value of `key` with `new` if and only if the
    /// current value equals `expected` byte for byte (`None` means the key
    /// must be absent).
    ///
    /// Returns `Ok(true)` when the value was swapped and `Ok(false)` when the
    /// current value differed (nothing is written then). This is the
    /// primitive behind wasi:keyvalue atomics `cas`/`swap` and every versioned
    /// write of the platform, so it must never lose an update, even with
    /// several processes sharing one backend.
    async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, Error>;
}

/// Parses a stored counter, accepting exactly what Redis' `INCRBY` accepts:
/// the canonical decimal rendering of an `i64` (no sign for positives, no
/// leading zeros, no spaces, no `-0`). Keeping both engines this strict means
/// a value is a counter on one engine if and only if it is on the other.
fn parse_counter(bytes: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(bytes).ok()?;
    let n: i64 = text.parse().ok()?;
    (n.to_string() == text).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::parse_counter;

    #[test]
    fn counters_parse_only_in_canonical_form() {
        assert_eq!(parse_counter(b"0"), Some(0));
        assert_eq!(parse_counter(b"42"), Some(42));
        assert_eq!(parse_counter(b"-7"), Some(-7));
        assert_eq!(
            parse_counter(i64::MIN.to_string().as_bytes()),
            Some(i64::MIN)
        );
        for bad in [
            &b""[..],
            b"+1",
            b" 1",
            b"1 ",
            b"007",
            b"-0",
            b"1.5",
            b"abc",
            b"99999999999999999999",
            b"\xff",
        ] {
            assert_eq!(parse_counter(bad), None, "{bad:?}");
        }
    }
}
