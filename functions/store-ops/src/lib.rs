//! The key-value operations the platform's domain crates (the address
//! register, the unit registry) are written against. The crates do no I/O of
//! their own: the components implement [`KvOps`] over Spin's key-value API
//! (`mdm-kv-repo`), the host's tools over its stores, and tests use
//! [`MemoryStore`]. So the same domain code runs in the components and
//! natively.

use std::collections::BTreeMap;

/// A store failure, as the store reported it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// The key-value operations domain code needs. Every write is a
/// compare-and-swap or an atomic increment, so concurrent writers never lose
/// each other's changes.
pub trait KvOps {
    /// Values of `keys` in one round trip, in the same order.
    fn get_many(&mut self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError>;
    /// Writes `new` only if the current value is `expected` (`None`: absent);
    /// `Ok(false)` when it was not.
    fn compare_and_swap(
        &mut self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, StoreError>;
    fn delete(&mut self, key: &str) -> Result<(), StoreError>;
    /// Adds `delta` to the ASCII-decimal counter at `key` (absent = 0) and
    /// returns the new value, atomically.
    fn increment(&mut self, key: &str, delta: i64) -> Result<i64, StoreError>;
}

/// An in-memory [`KvOps`]: for tests, and for tools that build documents
/// before writing them out.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    pub entries: BTreeMap<String, Vec<u8>>,
    /// Round trips made: `get_many` calls, swaps, deletes and increments.
    pub round_trips: usize,
}

impl KvOps for MemoryStore {
    fn get_many(&mut self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        self.round_trips += 1;
        Ok(keys.iter().map(|k| self.entries.get(k).cloned()).collect())
    }

    fn compare_and_swap(
        &mut self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, StoreError> {
        self.round_trips += 1;
        if self.entries.get(key).map(Vec::as_slice) != expected {
            return Ok(false);
        }
        self.entries.insert(key.to_string(), new.to_vec());
        Ok(true)
    }

    fn delete(&mut self, key: &str) -> Result<(), StoreError> {
        self.round_trips += 1;
        self.entries.remove(key);
        Ok(())
    }

    fn increment(&mut self, key: &str, delta: i64) -> Result<i64, StoreError> {
        self.round_trips += 1;
        let current = match self.entries.get(key) {
            None => 0,
            Some(bytes) => std::str::from_utf8(bytes)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| StoreError(format!("{key} is not a counter")))?,
        };
        let next = current
            .checked_add(delta)
            .ok_or_else(|| StoreError(format!("{key} would overflow")))?;
        self.entries
            .insert(key.to_string(), next.to_string().into_bytes());
        Ok(next)
    }
}

/// A [`MemoryStore`] whose writes (swaps, deletes, increments) fail once
/// `writes_left` have been made: a process that stops part-way, for tests
/// of what a half-done sequence of writes leaves behind.
#[derive(Debug, Default, Clone)]
pub struct CrashingStore {
    pub inner: MemoryStore,
    pub writes_left: usize,
}

impl CrashingStore {
    /// A store that fails after `writes` more writes.
    pub fn after(writes: usize) -> Self {
        Self {
            inner: MemoryStore::default(),
            writes_left: writes,
        }
    }

    fn write(&mut self) -> Result<(), StoreError> {
        if self.writes_left == 0 {
            return Err(StoreError("crashed".into()));
        }
        self.writes_left -= 1;
        Ok(())
    }
}

impl KvOps for CrashingStore {
    fn get_many(&mut self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        self.inner.get_many(keys)
    }

    fn compare_and_swap(
        &mut self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, StoreError> {
        self.write()?;
        self.inner.compare_and_swap(key, expected, new)
    }

    fn delete(&mut self, key: &str) -> Result<(), StoreError> {
        self.write()?;
        self.inner.delete(key)
    }

    fn increment(&mut self, key: &str, delta: i64) -> Result<i64, StoreError> {
        self.write()?;
        self.inner.increment(key, delta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_only_from_the_expected_value_and_counts() {
        let mut store = MemoryStore::default();
        assert!(store.compare_and_swap("k", None, b"1").unwrap());
        assert!(!store.compare_and_swap("k", None, b"2").unwrap());
        assert!(!store.compare_and_swap("k", Some(b"2"), b"3").unwrap());
        assert!(store.compare_and_swap("k", Some(b"1"), b"3").unwrap());
        assert_eq!(
            store.get_many(&["k".into()]).unwrap(),
            [Some(b"3".to_vec())]
        );
        assert_eq!(store.increment("n", 2).unwrap(), 2);
        assert_eq!(store.increment("n", 3).unwrap(), 5);
        assert!(store.increment("k", 1).is_ok(), "\"3\" is a counter");
        store.entries.insert("x".into(), b"abc".to_vec());
        assert!(store.increment("x", 1).is_err());
    }

    #[test]
    fn a_crashing_store_fails_every_write_after_its_budget() {
        let mut store = CrashingStore::after(2);
        assert!(store.compare_and_swap("a", None, b"1").unwrap());
        assert_eq!(store.increment("n", 1).unwrap(), 1);
        assert!(store.delete("a").is_err());
        assert!(store.compare_and_swap("b", None, b"1").is_err());
        assert_eq!(
            store.get_many(&["a".into()]).unwrap(),
            [Some(b"1".to_vec())]
        );
    }
}
