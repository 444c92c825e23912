//! The one place host-side bindings are generated from `infra/host/wit`.

wasmtime::component::bindgen!({
    path: "wit",
    world: "spin-host",
    imports: { default: async | trappable },
    with: {
        "fermyon:spin/key-value.store": crate::kv::SpinStoreHandle,
        "wasi:keyvalue/store.bucket": crate::kv::BucketHandle,
        "wasi:keyvalue/atomics.cas": crate::kv::CasHandle,
    },
});

pub use fermyon::spin::key_value as spin_kv;
pub use fermyon::spin::variables as spin_variables;
pub use wasi::keyvalue::{atomics as wasi_atomics, batch as wasi_batch, store as wasi_store};
