//! The wasmtime `Engine` and `Linker`, made once at start-up.

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use wasmtime::component::Linker;
use wasmtime::{
    Cache, CacheConfig, Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig,
};

use crate::state::HostState;

/// How often the epoch advances; deadlines are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Resource limits applied to every request's instance.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest linear memory one instance may grow to.
    pub memory_bytes: usize,
    /// Wall-clock budget for one request, guest code and host calls together.
    pub deadline: Duration,
    /// Requests executing at once; more wait (back-pressure) instead of failing.
    pub max_concurrency: u32,
    /// Largest request body accepted (413 beyond).
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 128 << 20,
            deadline: Duration::from_secs(30),
            max_concurrency: 128,
            max_body_bytes: 16 << 20,
        }
    }
}

/// Builds the engine: async, epoch interruption for deadlines, the on-disk
/// compile cache under `cache_dir`, and the pooling allocator sized so that
/// `max_concurrency` instances fit (the semaphore in the server guarantees we
/// never ask for more).
pub fn engine(limits: &Limits, cache_dir: &Path) -> anyhow::Result<Engine> {
    let mut config = Config::new();
    config.epoch_interruption(true);

    let mut cache = CacheConfig::new();
    cache.with_directory(cache_dir);
    config.cache(Some(
        Cache::new(cache)
            .map_err(anyhow::Error::from)
            .context("could not set up the compiled-code cache")?,
    ));

    let n = limits.max_concurrency;
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(n)
        // A spin-sdk component holds a few core instances, memories and
        // tables (the guest plus its shims); leave room for that.
        .total_core_instances(n * 8)
        .total_memories(n * 2)
        .total_tables(n * 4)
        .max_memories_per_component(2)
        .max_memory_size(limits.memory_bytes)
        .max_component_instance_size(1 << 20)
        .max_core_instance_size(1 << 20)
        // Keeping the first pages resident between instances avoids the
        // page-fault and TLB shoot-down storm of decommitting them on every
        // request (PERFORMANCE.md: this alone doubled throughput).
        .linear_memory_keep_resident(16 << 20)
        .table_keep_resident(1 << 20);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));

    Engine::new(&config)
        .map_err(anyhow::Error::from)
        .context("could not create the wasmtime engine")
}

/// The linker every component is instantiated against: WASI p2, wasi:http,
/// Spin key-value, `wasi:keyvalue` and Spin variables. Nothing else: a
/// component importing something else fails at start-up with wasmtime's
/// message naming the import.
pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    crate::kv::add_to_linker(&mut linker, HostState::kv_view)?;
    crate::variables::add_to_linker(&mut linker, |s| &s.variables)?;
    Ok(linker)
}

/// Advances the engine's epoch forever on a plain thread, so deadlines fire
/// even when every tokio worker is busy running guests.
pub fn start_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("epoch-ticker".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .expect("spawning the epoch thread");
}
