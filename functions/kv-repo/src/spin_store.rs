//! [`Kv`] over Spin's `wasi:keyvalue` store and atomics.

use spin_sdk::wit::wasi::keyvalue::{atomics, batch, store};

use crate::{Kv, RepoError};

/// A store label opened through `wasi:keyvalue`.
pub struct SpinKv {
    bucket: store::Bucket,
}

fn store_err(e: store::Error) -> RepoError {
    RepoError::Store(match e {
        store::Error::NoSuchStore => "no such store".into(),
        store::Error::AccessDenied => "access denied".into(),
        store::Error::Other(m) => m,
    })
}

impl SpinKv {
    /// Opens the store `label` (one of the component's `key_value_stores`).
    pub fn open(label: &str) -> Result<Self, RepoError> {
        Ok(Self {
            bucket: store::open(label).map_err(store_err)?,
        })
    }

    /// Opens the `default` store.
    pub fn open_default() -> Result<Self, RepoError> {
        Self::open("default")
    }
}

impl SpinKv {
    /// Writes `new` only if the current value is `expected` (`None`: absent).
    pub fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, RepoError> {
        let cas = atomics::Cas::new(&self.bucket, key).map_err(store_err)?;
        if cas.current().map_err(store_err)?.as_deref() != expected {
            return Ok(false);
        }
        match atomics::swap(cas, new) {
            Ok(()) => Ok(true),
            Err(atomics::CasError::CasFailed(_)) => Ok(false),
            Err(atomics::CasError::StoreError(e)) => Err(store_err(e)),
        }
    }

    pub fn delete(&self, key: &str) -> Result<(), RepoError> {
        self.bucket.delete(key).map_err(store_err)
    }

    /// Adds `delta` to the counter at `key` atomically; the new value.
    pub fn increment(&self, key: &str, delta: i64) -> Result<i64, RepoError> {
        atomics::increment(&self.bucket, key, delta).map_err(store_err)
    }
}

/// The domain crates' view of the store.
impl mdm_store_ops::KvOps for &SpinKv {
    fn get_many(
        &mut self,
        keys: &[String],
    ) -> Result<Vec<Option<Vec<u8>>>, mdm_store_ops::StoreError> {
        Kv::get_many(*self, keys).map_err(|e| mdm_store_ops::StoreError(e.to_string()))
    }

    fn compare_and_swap(
        &mut self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, mdm_store_ops::StoreError> {
        SpinKv::compare_and_swap(self, key, expected, new)
            .map_err(|e| mdm_store_ops::StoreError(e.to_string()))
    }

    fn delete(&mut self, key: &str) -> Result<(), mdm_store_ops::StoreError> {
        SpinKv::delete(self, key).map_err(|e| mdm_store_ops::StoreError(e.to_string()))
    }

    fn increment(&mut self, key: &str, delta: i64) -> Result<i64, mdm_store_ops::StoreError> {
        SpinKv::increment(self, key, delta).map_err(|e| mdm_store_ops::StoreError(e.to_string()))
    }
}

impl Kv for SpinKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, RepoError> {
        self.bucket.get(key).map_err(store_err)
    }

    fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, RepoError> {
        let found = batch::get_many(&self.bucket, keys).map_err(store_err)?;
        Ok(found.into_iter().map(|(_, value)| value).collect())
    }

    fn insert_new(&self, key: &str, value: &[u8]) -> Result<bool, RepoError> {
        self.compare_and_swap(key, None, value)
    }
}
