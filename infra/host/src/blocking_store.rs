//! The host's stores as the domain crates' synchronous [`KvOps`]: the
//! address-register import and seed indexing run the same code as the
//! components, on a blocking thread that waits for each store call.

use std::sync::Arc;

use mdm_kv::Store;
use mdm_store_ops::{KvOps, StoreError};
use tokio::runtime::Handle;

/// A host store seen through the domain crates' [`KvOps`], for code that
/// runs on a blocking thread (inside `spawn_blocking`).
pub struct Blocking {
    pub store: Arc<dyn Store>,
    pub handle: Handle,
}

fn err(e: mdm_kv::Error) -> StoreError {
    StoreError(e.to_string())
}

impl KvOps for Blocking {
    fn get_many(&mut self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let found = self
            .handle
            .block_on(self.store.get_many(keys))
            .map_err(err)?;
        Ok(found.into_iter().map(|(_, value)| value).collect())
    }

    fn compare_and_swap(
        &mut self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, StoreError> {
        self.handle
            .block_on(self.store.compare_and_swap(key, expected, new))
            .map_err(err)
    }

    fn delete(&mut self, key: &str) -> Result<(), StoreError> {
        self.handle.block_on(self.store.delete(key)).map_err(err)
    }

    fn increment(&mut self, key: &str, delta: i64) -> Result<i64, StoreError> {
        self.handle
            .block_on(self.store.increment(key, delta))
            .map_err(err)
    }
}
