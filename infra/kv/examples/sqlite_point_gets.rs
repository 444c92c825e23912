//! Measures SQLite point reads through the `Store` trait (dynamic dispatch
//! included, as the host uses it): 50,000 keys with ~900-byte values, read
//! in a shuffled order, first on one thread, then on one thread per core.
//!
//! Prints operations per second; it asserts nothing about speed.
//!
//! ```text
//! cargo run --release -p mdm-kv --example sqlite_point_gets
//! ```

use std::sync::Arc;
use std::time::Instant;

use mdm_kv::{SqliteBackend, Store};

const KEYS: usize = 50_000;
const VALUE_LEN: usize = 900;
const PASSES: usize = 4;

fn key(i: usize) -> String {
    format!("device:{i:06}:profile")
}

/// A deterministic permutation of `0..KEYS` (xorshift-driven Fisher-Yates),
/// so reads do not walk the B-tree in order.
fn shuffled(seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..KEYS).collect();
    let mut state = seed | 1;
    for i in (1..order.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    order
}

async fn read_all(store: &dyn Store, order: &[usize]) -> usize {
    let mut bytes = 0;
    for &i in order {
        let value = store.get(&key(i)).await.expect("get").expect("present");
        bytes += value.len();
    }
    bytes
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let backend = SqliteBackend::open(&dir.path().join("bench.db")).expect("open");
    let store: Arc<dyn Store> = Arc::new(backend.store("bench"));

    let started = Instant::now();
    let entries: Vec<(String, Vec<u8>)> = (0..KEYS)
        .map(|i| {
            let value = format!(
                "{{\"id\":{i},\"payload\":\"{}\"}}",
                "x".repeat(VALUE_LEN - 30)
            );
            (key(i), value.into_bytes())
        })
        .collect();
    for chunk in entries.chunks(1_000) {
        store.set_many(chunk).await.expect("set_many");
    }
    println!(
        "loaded {KEYS} keys of ~{VALUE_LEN} bytes in {:.2?}",
        started.elapsed()
    );

    let order = shuffled(0x5eed);
    read_all(&*store, &order).await; // warm the page cache

    let started = Instant::now();
    for _ in 0..PASSES {
        read_all(&*store, &order).await;
    }
    let elapsed = started.elapsed();
    let reads = KEYS * PASSES;
    println!(
        "1 thread: {reads} point gets in {elapsed:.2?} = {:.0} gets/s ({:.2} µs/get)",
        reads as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / reads as f64
    );

    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let store = Arc::clone(&store);
            let order = shuffled(t as u64 + 1);
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .expect("runtime");
                runtime.block_on(async {
                    for _ in 0..PASSES {
                        read_all(&*store, &order).await;
                    }
                });
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("reader thread");
    }
    let elapsed = started.elapsed();
    let reads = KEYS * PASSES * threads;
    println!(
        "{threads} threads: {reads} point gets in {elapsed:.2?} = {:.0} gets/s",
        reads as f64 / elapsed.as_secs_f64()
    );
}
