//! Spin's key-value interfaces (`fermyon:spin/key-value@2.0.0` and
//! `wasi:keyvalue@0.2.0-draft2` store, atomics, batch) implemented on top of
//! `mdm_kv::Store`. Capability rule, as in Spin: a component may only open the
//! labels listed in its `key_value_stores`; anything else is `access-denied`.

use std::collections::HashMap;
use std::sync::Arc;

use mdm_kv::Store;
use wasmtime::component::{HasData, Resource, ResourceTable};

use crate::bindings::{spin_kv, wasi_atomics, wasi_batch, wasi_store};

/// Most stores one request may hold open at once (Spin's `store-table-full`).
const MAX_OPEN_STORES: usize = 64;

/// Every store the application defined, by label. Built once at start-up.
#[derive(Clone, Default)]
pub struct StoreCatalog {
    stores: HashMap<String, Arc<dyn Store>>,
}

impl StoreCatalog {
    pub fn new(stores: HashMap<String, Arc<dyn Store>>) -> Self {
        Self { stores }
    }

    pub fn get(&self, label: &str) -> Option<&Arc<dyn Store>> {
        self.stores.get(label)
    }

    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.stores.keys().map(String::as_str)
    }
}

/// What one component may open: the catalog plus its grants.
#[derive(Clone)]
pub struct KvGrants {
    catalog: Arc<StoreCatalog>,
    granted: Arc<[String]>,
}

impl KvGrants {
    pub fn new(catalog: Arc<StoreCatalog>, granted: Vec<String>) -> Self {
        Self {
            catalog,
            granted: granted.into(),
        }
    }

    fn open(&self, label: &str) -> Result<Arc<dyn Store>, Denied> {
        if !self.granted.iter().any(|g| g == label) {
            return Err(Denied::AccessDenied);
        }
        self.catalog.get(label).cloned().ok_or(Denied::NoSuchStore)
    }
}

enum Denied {
    AccessDenied,
    NoSuchStore,
}

/// Per-request key-value state.
pub struct KvCtx {
    grants: KvGrants,
    open_stores: usize,
}

impl KvCtx {
    pub fn new(grants: KvGrants) -> Self {
        Self {
            grants,
            open_stores: 0,
        }
    }
}

/// The resource behind a Spin `store`.
pub struct SpinStoreHandle(Arc<dyn Store>);
/// The resource behind a `wasi:keyvalue` `bucket`.
pub struct BucketHandle(Arc<dyn Store>);
/// The resource behind a `wasi:keyvalue` `cas`: the key and the value it had
/// when the handle was made; `swap` succeeds only if that is still the value.
pub struct CasHandle {
    store: Arc<dyn Store>,
    key: String,
    current: Option<Vec<u8>>,
}

/// The view the generated traits are implemented on.
pub struct KvView<'a> {
    pub ctx: &'a mut KvCtx,
    pub table: &'a mut ResourceTable,
}

/// `HasData` marker for `add_to_linker`.
pub struct KvData;

impl HasData for KvData {
    type Data<'a> = KvView<'a>;
}

pub fn add_to_linker<T: Send + 'static>(
    linker: &mut wasmtime::component::Linker<T>,
    get: fn(&mut T) -> KvView<'_>,
) -> wasmtime::Result<()> {
    spin_kv::add_to_linker::<T, KvData>(linker, get)?;
    wasi_store::add_to_linker::<T, KvData>(linker, get)?;
    wasi_atomics::add_to_linker::<T, KvData>(linker, get)?;
    wasi_batch::add_to_linker::<T, KvData>(linker, get)?;
    Ok(())
}

fn spin_err(e: mdm_kv::Error) -> spin_kv::Error {
    spin_kv::Error::Other(e.to_string())
}

fn wasi_err(e: mdm_kv::Error) -> wasi_store::Error {
    wasi_store::Error::Other(e.to_string())
}

impl KvView<'_> {
    fn spin_store(&self, r: &Resource<SpinStoreHandle>) -> wasmtime::Result<Arc<dyn Store>> {
        Ok(self.table.get(r)?.0.clone())
    }

    fn bucket(&self, r: &Resource<BucketHandle>) -> wasmtime::Result<Arc<dyn Store>> {
        Ok(self.table.get(r)?.0.clone())
    }
}

impl spin_kv::Host for KvView<'_> {}

impl spin_kv::HostStore for KvView<'_> {
    async fn open(
        &mut self,
        label: String,
    ) -> wasmtime::Result<Result<Resource<SpinStoreHandle>, spin_kv::Error>> {
        if self.ctx.open_stores >= MAX_OPEN_STORES {
            return Ok(Err(spin_kv::Error::StoreTableFull));
        }
        match self.ctx.grants.open(&label) {
            Ok(store) => {
                self.ctx.open_stores += 1;
                Ok(Ok(self.table.push(SpinStoreHandle(store))?))
            }
            Err(Denied::AccessDenied) => Ok(Err(spin_kv::Error::AccessDenied)),
            Err(Denied::NoSuchStore) => Ok(Err(spin_kv::Error::NoSuchStore)),
        }
    }

    async fn get(
        &mut self,
        this: Resource<SpinStoreHandle>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, spin_kv::Error>> {
        let store = self.spin_store(&this)?;
        Ok(store.get(&key).await.map_err(spin_err))
    }

    async fn set(
        &mut self,
        this: Resource<SpinStoreHandle>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), spin_kv::Error>> {
        let store = self.spin_store(&this)?;
        Ok(store.set(&key, &value).await.map_err(spin_err))
    }

    async fn delete(
        &mut self,
        this: Resource<SpinStoreHandle>,
        key: String,
    ) -> wasmtime::Result<Result<(), spin_kv::Error>> {
        let store = self.spin_store(&this)?;
        Ok(store.delete(&key).await.map_err(spin_err))
    }

    async fn exists(
        &mut self,
        this: Resource<SpinStoreHandle>,
        key: String,
    ) -> wasmtime::Result<Result<bool, spin_kv::Error>> {
        let store = self.spin_store(&this)?;
        Ok(store.exists(&key).await.map_err(spin_err))
    }

    async fn get_keys(
        &mut self,
        this: Resource<SpinStoreHandle>,
    ) -> wasmtime::Result<Result<Vec<String>, spin_kv::Error>> {
        let store = self.spin_store(&this)?;
        Ok(store.get_keys().await.map_err(spin_err))
    }

    async fn drop(&mut self, this: Resource<SpinStoreHandle>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        self.ctx.open_stores = self.ctx.open_stores.saturating_sub(1);
        Ok(())
    }
}

impl wasi_store::Host for KvView<'_> {
    async fn open(
        &mut self,
        identifier: String,
    ) -> wasmtime::Result<Result<Resource<BucketHandle>, wasi_store::Error>> {
        match self.ctx.grants.open(&identifier) {
            Ok(store) => Ok(Ok(self.table.push(BucketHandle(store))?)),
            Err(Denied::AccessDenied) => Ok(Err(wasi_store::Error::AccessDenied)),
            Err(Denied::NoSuchStore) => Ok(Err(wasi_store::Error::NoSuchStore)),
        }
    }
}

impl wasi_store::HostBucket for KvView<'_> {
    async fn get(
        &mut self,
        this: Resource<BucketHandle>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, wasi_store::Error>> {
        let store = self.bucket(&this)?;
        Ok(store.get(&key).await.map_err(wasi_err))
    }

    async fn set(
        &mut self,
        this: Resource<BucketHandle>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), wasi_store::Error>> {
        let store = self.bucket(&this)?;
        Ok(store.set(&key, &value).await.map_err(wasi_err))
    }

    async fn delete(
        &mut self,
        this: Resource<BucketHandle>,
        key: String,
    ) -> wasmtime::Result<Result<(), wasi_store::Error>> {
        let store = self.bucket(&this)?;
        Ok(store.delete(&key).await.map_err(wasi_err))
    }

    async fn exists(
        &mut self,
        this: Resource<BucketHandle>,
        key: String,
    ) -> wasmtime::Result<Result<bool, wasi_store::Error>> {
        let store = self.bucket(&this)?;
        Ok(store.exists(&key).await.map_err(wasi_err))
    }

    async fn list_keys(
        &mut self,
        this: Resource<BucketHandle>,
        cursor: Option<String>,
    ) -> wasmtime::Result<Result<wasi_store::KeyResponse, wasi_store::Error>> {
        // Like Spin, all keys come back in one page; a cursor from a client
        // that expects paging is therefore never valid.
        if cursor.is_some() {
            return Ok(Err(wasi_store::Error::Other(
                "this host returns all keys in one page; there is no cursor to continue".into(),
            )));
        }
        let store = self.bucket(&this)?;
        Ok(store
            .get_keys()
            .await
            .map(|keys| wasi_store::KeyResponse { keys, cursor: None })
            .map_err(wasi_err))
    }

    async fn drop(&mut self, this: Resource<BucketHandle>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl wasi_atomics::Host for KvView<'_> {
    async fn increment(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
        delta: i64,
    ) -> wasmtime::Result<Result<i64, wasi_store::Error>> {
        let store = self.bucket(&bucket)?;
        Ok(store.increment(&key, delta).await.map_err(wasi_err))
    }

    async fn swap(
        &mut self,
        cas: Resource<CasHandle>,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), wasi_atomics::CasError>> {
        let handle = self.table.delete(cas)?;
        match handle
            .store
            .compare_and_swap(&handle.key, handle.current.as_deref(), &value)
            .await
        {
            Ok(true) => Ok(Ok(())),
            Ok(false) => {
                // Hand back a fresh handle with the value that won, so the
                // guest can decide whether to retry.
                let current = match handle.store.get(&handle.key).await {
                    Ok(v) => v,
                    Err(e) => return Ok(Err(wasi_atomics::CasError::StoreError(wasi_err(e)))),
                };
                let fresh = self.table.push(CasHandle {
                    store: handle.store,
                    key: handle.key,
                    current,
                })?;
                Ok(Err(wasi_atomics::CasError::CasFailed(fresh)))
            }
            Err(e) => Ok(Err(wasi_atomics::CasError::StoreError(wasi_err(e)))),
        }
    }
}

impl wasi_atomics::HostCas for KvView<'_> {
    async fn new(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
    ) -> wasmtime::Result<Result<Resource<CasHandle>, wasi_store::Error>> {
        let store = self.bucket(&bucket)?;
        let current = match store.get(&key).await {
            Ok(v) => v,
            Err(e) => return Ok(Err(wasi_err(e))),
        };
        Ok(Ok(self.table.push(CasHandle {
            store,
            key,
            current,
        })?))
    }

    async fn current(
        &mut self,
        this: Resource<CasHandle>,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, wasi_store::Error>> {
        Ok(Ok(self.table.get(&this)?.current.clone()))
    }

    async fn drop(&mut self, this: Resource<CasHandle>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl wasi_batch::Host for KvView<'_> {
    async fn get_many(
        &mut self,
        bucket: Resource<BucketHandle>,
        keys: Vec<String>,
    ) -> wasmtime::Result<Result<Vec<(String, Option<Vec<u8>>)>, wasi_store::Error>> {
        let store = self.bucket(&bucket)?;
        Ok(store.get_many(&keys).await.map_err(wasi_err))
    }

    async fn set_many(
        &mut self,
        bucket: Resource<BucketHandle>,
        key_values: Vec<(String, Vec<u8>)>,
    ) -> wasmtime::Result<Result<(), wasi_store::Error>> {
        let store = self.bucket(&bucket)?;
        Ok(store.set_many(&key_values).await.map_err(wasi_err))
    }

    async fn delete_many(
        &mut self,
        bucket: Resource<BucketHandle>,
        keys: Vec<String>,
    ) -> wasmtime::Result<Result<(), wasi_store::Error>> {
        let store = self.bucket(&bucket)?;
        Ok(store.delete_many(&keys).await.map_err(wasi_err))
    }
}
