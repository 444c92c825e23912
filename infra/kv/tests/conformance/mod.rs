//! The backend-neutral conformance suite: every engine must pass every test.
//!
//! Each `pub async fn` below is one specification, taking a fresh, empty
//! store. An engine's test file instantiates the whole suite with
//! `conformance::conformance_suite!(fixture_fn)`, where `fixture_fn` is an
//! `async fn() -> Fixture`; the macro generates one `#[tokio::test]` per
//! specification, named like it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mdm_kv::{Error, Store};

/// A fresh, empty store plus whatever keeps it alive (temp dir, server
/// process); dropped at the end of each test.
pub struct Fixture {
    /// The store under test.
    pub store: Arc<dyn Store>,
    // Declared after `store` so the store is dropped first.
    _guard: Box<dyn Send>,
}

impl Fixture {
    /// Wraps a store and the guard that must outlive it.
    pub fn new(store: Arc<dyn Store>, guard: impl Send + 'static) -> Self {
        Self {
            store,
            _guard: Box::new(guard),
        }
    }
}

/// Generates one multi-threaded `#[tokio::test]` per specification of this
/// suite, each getting its store from `$fixture().await`.
macro_rules! conformance_suite {
    ($fixture:path) => {
        $crate::conformance::conformance_suite!(@tests $fixture;
            get_of_missing_key_is_none,
            set_then_get_returns_value,
            set_overwrites_existing_value,
            delete_removes_key,
            delete_of_missing_key_is_ok,
            exists_reflects_presence,
            empty_value_is_stored_and_distinct_from_absent,
            binary_values_with_nul_bytes_roundtrip,
            large_value_roundtrips,
            unicode_and_special_keys_roundtrip,
            get_keys_of_empty_store_is_empty,
            get_keys_lists_every_key_once,
            get_many_preserves_order_and_reports_missing,
            get_many_of_no_keys_is_empty,
            set_many_writes_every_entry,
            set_many_of_nothing_is_ok,
            set_many_with_duplicate_keys_last_wins,
            delete_many_removes_all_and_ignores_missing,
            delete_many_of_nothing_is_ok,
            set_many_is_observed_all_or_nothing,
            delete_many_is_observed_all_or_nothing,
            increment_of_missing_key_starts_at_zero,
            increment_returns_new_value_and_accepts_negative_delta,
            counter_is_stored_as_ascii_decimal,
            increment_continues_from_ascii_decimal_value,
            increment_of_non_number_is_error,
            increment_of_non_canonical_number_is_error,
            increment_overflow_is_error,
            cas_with_none_creates_missing_key,
            cas_with_none_fails_when_key_exists,
            cas_succeeds_when_value_matches,
            cas_fails_when_value_changed,
            cas_with_expected_value_fails_when_key_missing,
            cas_compares_binary_values_exactly,
            cas_distinguishes_empty_value_from_absent,
            concurrent_cas_loses_no_update,
            concurrent_increment_is_exact,
        );
    };
    (@tests $fixture:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let fixture = $fixture().await;
                $crate::conformance::$name(fixture.store.clone()).await;
            }
        )*
    };
}
pub(crate) use conformance_suite;

fn keys(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

fn entries(pairs: &[(&str, &[u8])]) -> Vec<(String, Vec<u8>)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.to_vec()))
        .collect()
}

async fn sorted_keys(store: &dyn Store) -> Vec<String> {
    let mut keys = store.get_keys().await.unwrap();
    keys.sort();
    keys
}

/// Deterministic pseudo-random bytes (xorshift), so tests need no RNG crate.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

// ---------------------------------------------------------------- point ops

pub async fn get_of_missing_key_is_none(store: Arc<dyn Store>) {
    assert_eq!(store.get("missing").await.unwrap(), None);
}

pub async fn set_then_get_returns_value(store: Arc<dyn Store>) {
    store.set("k", b"value").await.unwrap();
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"value"[..])
    );
}

pub async fn set_overwrites_existing_value(store: Arc<dyn Store>) {
    store.set("k", b"first, and longer").await.unwrap();
    store.set("k", b"second").await.unwrap();
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"second"[..])
    );
    assert_eq!(store.get_keys().await.unwrap(), keys(&["k"]));
}

pub async fn delete_removes_key(store: Arc<dyn Store>) {
    store.set("k", b"v").await.unwrap();
    store.set("other", b"v").await.unwrap();
    store.delete("k").await.unwrap();
    assert_eq!(store.get("k").await.unwrap(), None);
    assert!(!store.exists("k").await.unwrap());
    assert_eq!(store.get_keys().await.unwrap(), keys(&["other"]));
}

pub async fn delete_of_missing_key_is_ok(store: Arc<dyn Store>) {
    store.delete("never-set").await.unwrap();
    store.set("k", b"v").await.unwrap();
    store.delete("k").await.unwrap();
    store.delete("k").await.unwrap();
}

pub async fn exists_reflects_presence(store: Arc<dyn Store>) {
    assert!(!store.exists("k").await.unwrap());
    store.set("k", b"v").await.unwrap();
    assert!(store.exists("k").await.unwrap());
    store.delete("k").await.unwrap();
    assert!(!store.exists("k").await.unwrap());
}

pub async fn empty_value_is_stored_and_distinct_from_absent(store: Arc<dyn Store>) {
    store.set("empty", b"").await.unwrap();
    assert_eq!(store.get("empty").await.unwrap(), Some(Vec::new()));
    assert!(store.exists("empty").await.unwrap());
    assert_eq!(store.get_keys().await.unwrap(), keys(&["empty"]));
    store.set_many(&entries(&[("batched", b"")])).await.unwrap();
    assert_eq!(
        store
            .get_many(&keys(&["empty", "batched", "absent"]))
            .await
            .unwrap(),
        vec![
            ("empty".to_owned(), Some(Vec::new())),
            ("batched".to_owned(), Some(Vec::new())),
            ("absent".to_owned(), None),
        ]
    );
}

pub async fn binary_values_with_nul_bytes_roundtrip(store: Arc<dyn Store>) {
    let every_byte: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    store.set("bytes", &every_byte).await.unwrap();
    assert_eq!(store.get("bytes").await.unwrap(), Some(every_byte.clone()));
    let nul_only = vec![0u8; 17];
    store
        .set_many(&[("nul".to_owned(), nul_only.clone())])
        .await
        .unwrap();
    assert_eq!(
        store.get_many(&keys(&["nul", "bytes"])).await.unwrap(),
        vec![
            ("nul".to_owned(), Some(nul_only)),
            ("bytes".to_owned(), Some(every_byte)),
        ]
    );
    // Invalid UTF-8 must come back untouched too.
    store.set("latin1", b"caf\xe9\xff\xfe").await.unwrap();
    assert_eq!(
        store.get("latin1").await.unwrap().as_deref(),
        Some(&b"caf\xe9\xff\xfe"[..])
    );
}

pub async fn large_value_roundtrips(store: Arc<dyn Store>) {
    let big = noise(1024 * 1024 + 7, 42);
    store.set("big", &big).await.unwrap();
    assert_eq!(store.get("big").await.unwrap(), Some(big));
}

pub async fn unicode_and_special_keys_roundtrip(store: Arc<dyn Store>) {
    let names = [
        "",
        " ",
        "clé-été",
        "日本語のキー",
        "emoji 🦀🚀",
        "glob*chars?[a-z]",
        "quote'\"back\\slash",
        "new\nline\ttab",
        "percent%_underscore",
        "users:42:profile",
    ];
    for (i, name) in names.iter().enumerate() {
        store.set(name, format!("v{i}").as_bytes()).await.unwrap();
    }
    for (i, name) in names.iter().enumerate() {
        assert_eq!(
            store.get(name).await.unwrap(),
            Some(format!("v{i}").into_bytes()),
            "key {name:?}"
        );
        assert!(store.exists(name).await.unwrap(), "key {name:?}");
    }
    let mut expected = keys(&names);
    expected.sort();
    assert_eq!(sorted_keys(&*store).await, expected);
    // `%` and `_` are LIKE wildcards and `*`/`?` glob ones: they must be
    // treated literally.
    assert_eq!(store.get("percentX_underscore").await.unwrap(), None);
    assert_eq!(store.get("glob*chars?[a-z]x").await.unwrap(), None);
}

pub async fn get_keys_of_empty_store_is_empty(store: Arc<dyn Store>) {
    assert!(store.get_keys().await.unwrap().is_empty());
}

pub async fn get_keys_lists_every_key_once(store: Arc<dyn Store>) {
    // More keys than one Redis SCAN page, so paging is exercised.
    let all: Vec<(String, Vec<u8>)> = (0..2_500)
        .map(|i| (format!("key-{i:05}"), i.to_string().into_bytes()))
        .collect();
    for chunk in all.chunks(500) {
        store.set_many(chunk).await.unwrap();
    }
    store.delete("key-00007").await.unwrap();
    let mut expected: Vec<String> = all
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| k != "key-00007")
        .collect();
    expected.sort();
    assert_eq!(sorted_keys(&*store).await, expected);
}

// ------------------------------------------------------------------ batches

pub async fn get_many_preserves_order_and_reports_missing(store: Arc<dyn Store>) {
    store
        .set_many(&entries(&[("a", b"1"), ("b", b"2"), ("c", b"3")]))
        .await
        .unwrap();
    let got = store
        .get_many(&keys(&["c", "missing", "a", "c", "b"]))
        .await
        .unwrap();
    assert_eq!(
        got,
        vec![
            ("c".to_owned(), Some(b"3".to_vec())),
            ("missing".to_owned(), None),
            ("a".to_owned(), Some(b"1".to_vec())),
            ("c".to_owned(), Some(b"3".to_vec())),
            ("b".to_owned(), Some(b"2".to_vec())),
        ]
    );
}

pub async fn get_many_of_no_keys_is_empty(store: Arc<dyn Store>) {
    store.set("a", b"1").await.unwrap();
    assert!(store.get_many(&[]).await.unwrap().is_empty());
}

pub async fn set_many_writes_every_entry(store: Arc<dyn Store>) {
    store.set("b", b"old").await.unwrap();
    store
        .set_many(&entries(&[("a", b"1"), ("b", b"2"), ("c", b"")]))
        .await
        .unwrap();
    assert_eq!(store.get("a").await.unwrap(), Some(b"1".to_vec()));
    assert_eq!(store.get("b").await.unwrap(), Some(b"2".to_vec()));
    assert_eq!(store.get("c").await.unwrap(), Some(Vec::new()));
    assert_eq!(sorted_keys(&*store).await, keys(&["a", "b", "c"]));
}

pub async fn set_many_of_nothing_is_ok(store: Arc<dyn Store>) {
    store.set_many(&[]).await.unwrap();
    assert!(store.get_keys().await.unwrap().is_empty());
}

pub async fn set_many_with_duplicate_keys_last_wins(store: Arc<dyn Store>) {
    store
        .set_many(&entries(&[("k", b"first"), ("x", b"x"), ("k", b"last")]))
        .await
        .unwrap();
    assert_eq!(store.get("k").await.unwrap(), Some(b"last".to_vec()));
    assert_eq!(sorted_keys(&*store).await, keys(&["k", "x"]));
}

pub async fn delete_many_removes_all_and_ignores_missing(store: Arc<dyn Store>) {
    store
        .set_many(&entries(&[("a", b"1"), ("b", b"2"), ("c", b"3")]))
        .await
        .unwrap();
    store
        .delete_many(&keys(&["a", "missing", "c", "a"]))
        .await
        .unwrap();
    assert_eq!(store.get_keys().await.unwrap(), keys(&["b"]));
}

pub async fn delete_many_of_nothing_is_ok(store: Arc<dyn Store>) {
    store.set("a", b"1").await.unwrap();
    store.delete_many(&[]).await.unwrap();
    assert_eq!(store.get_keys().await.unwrap(), keys(&["a"]));
}

/// A boxed future, as returned by [`observe_batches`] writers.
type BoxedWrite = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Runs `write` rounds in one task while another keeps reading the batch
/// keys with `get_many`, handing every snapshot to `check`. Returns the
/// number of snapshots checked.
async fn observe_batches<W, C>(store: Arc<dyn Store>, rounds: usize, write: W, check: C) -> usize
where
    W: Fn(Arc<dyn Store>, usize) -> BoxedWrite + Send + 'static,
    C: Fn(&[(String, Option<Vec<u8>>)]) + Send + 'static,
{
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let store = Arc::clone(&store);
        let done = Arc::clone(&done);
        tokio::spawn(async move {
            for round in 0..rounds {
                write(Arc::clone(&store), round).await;
                tokio::task::yield_now().await;
            }
            done.store(true, Ordering::SeqCst);
        })
    };
    let reader = tokio::spawn(async move {
        let batch = keys(&["batch-a", "batch-b", "batch-c"]);
        let mut snapshots = 0;
        while !done.load(Ordering::SeqCst) {
            let got = store.get_many(&batch).await.unwrap();
            check(&got);
            snapshots += 1;
            tokio::task::yield_now().await;
        }
        snapshots
    });
    writer.await.unwrap();
    reader.await.unwrap()
}

fn batch_of(round: usize) -> Vec<(String, Vec<u8>)> {
    let value = format!("round-{round}-{}", "x".repeat(round % 64)).into_bytes();
    ["batch-a", "batch-b", "batch-c"]
        .iter()
        .map(|k| ((*k).to_owned(), value.clone()))
        .collect()
}

pub async fn set_many_is_observed_all_or_nothing(store: Arc<dyn Store>) {
    let snapshots = observe_batches(
        store,
        400,
        |store, round| Box::pin(async move { store.set_many(&batch_of(round)).await.unwrap() }),
        |got| {
            let values: Vec<_> = got.iter().map(|(_, v)| v.clone()).collect();
            assert!(
                values.iter().all(|v| *v == values[0]),
                "a reader saw a partial set_many: {values:?}"
            );
        },
    )
    .await;
    assert!(snapshots > 0);
}

pub async fn delete_many_is_observed_all_or_nothing(store: Arc<dyn Store>) {
    let snapshots = observe_batches(
        store,
        400,
        |store, round| {
            Box::pin(async move {
                if round % 2 == 0 {
                    store.set_many(&batch_of(round)).await.unwrap();
                } else {
                    store
                        .delete_many(&keys(&["batch-a", "batch-b", "batch-c"]))
                        .await
                        .unwrap();
                }
            })
        },
        |got| {
            let present = got.iter().filter(|(_, v)| v.is_some()).count();
            assert!(
                present == 0 || present == got.len(),
                "a reader saw a partial delete_many: {got:?}"
            );
        },
    )
    .await;
    assert!(snapshots > 0);
}

// ----------------------------------------------------------------- counters

pub async fn increment_of_missing_key_starts_at_zero(store: Arc<dyn Store>) {
    assert_eq!(store.increment("hits", 1).await.unwrap(), 1);
    assert_eq!(store.increment("other", -5).await.unwrap(), -5);
    assert_eq!(store.increment("zero", 0).await.unwrap(), 0);
    assert!(store.exists("zero").await.unwrap());
}

pub async fn increment_returns_new_value_and_accepts_negative_delta(store: Arc<dyn Store>) {
    assert_eq!(store.increment("n", 10).await.unwrap(), 10);
    assert_eq!(store.increment("n", 32).await.unwrap(), 42);
    assert_eq!(store.increment("n", -50).await.unwrap(), -8);
    assert_eq!(store.increment("n", 0).await.unwrap(), -8);
}

pub async fn counter_is_stored_as_ascii_decimal(store: Arc<dyn Store>) {
    store.increment("n", 40).await.unwrap();
    store.increment("n", 2).await.unwrap();
    assert_eq!(store.get("n").await.unwrap().as_deref(), Some(&b"42"[..]));
    store.increment("neg", -7).await.unwrap();
    assert_eq!(store.get("neg").await.unwrap().as_deref(), Some(&b"-7"[..]));
}

pub async fn increment_continues_from_ascii_decimal_value(store: Arc<dyn Store>) {
    store.set("n", b"41").await.unwrap();
    assert_eq!(store.increment("n", 1).await.unwrap(), 42);
    store.set("m", b"-9223372036854775807").await.unwrap();
    assert_eq!(store.increment("m", -1).await.unwrap(), i64::MIN);
    store.set("z", b"0").await.unwrap();
    assert_eq!(store.increment("z", 3).await.unwrap(), 3);
}

pub async fn increment_of_non_number_is_error(store: Arc<dyn Store>) {
    store.set("text", b"hello").await.unwrap();
    let err = store.increment("text", 1).await.unwrap_err();
    assert_eq!(
        err,
        Error::NotACounter {
            key: "text".to_owned()
        }
    );
    assert!(err.to_string().contains("text"), "{err}");
    // Not silently overwritten, and the store is still usable afterwards.
    assert_eq!(
        store.get("text").await.unwrap().as_deref(),
        Some(&b"hello"[..])
    );
    store.set("after", b"ok").await.unwrap();
    assert_eq!(store.increment("after-counter", 2).await.unwrap(), 2);
}

pub async fn increment_of_non_canonical_number_is_error(store: Arc<dyn Store>) {
    for (i, bad) in [
        &b""[..],
        b"+1",
        b" 1",
        b"1 ",
        b"007",
        b"-0",
        b"1.5",
        b"1e3",
        b"0x10",
        b"99999999999999999999",
        b"4\x002",
    ]
    .into_iter()
    .enumerate()
    {
        let key = format!("bad-{i}");
        store.set(&key, bad).await.unwrap();
        assert!(
            matches!(
                store.increment(&key, 1).await,
                Err(Error::NotACounter { .. })
            ),
            "{bad:?} must not be accepted as a counter"
        );
        assert_eq!(store.get(&key).await.unwrap().as_deref(), Some(bad));
    }
}

pub async fn increment_overflow_is_error(store: Arc<dyn Store>) {
    store
        .set("max", i64::MAX.to_string().as_bytes())
        .await
        .unwrap();
    assert_eq!(
        store.increment("max", 1).await.unwrap_err(),
        Error::Overflow {
            key: "max".to_owned(),
            delta: 1
        }
    );
    assert_eq!(
        store.get("max").await.unwrap(),
        Some(i64::MAX.to_string().into_bytes())
    );
    store
        .set("min", i64::MIN.to_string().as_bytes())
        .await
        .unwrap();
    assert!(matches!(
        store.increment("min", -1).await,
        Err(Error::Overflow { .. })
    ));
    assert_eq!(store.increment("fresh", i64::MAX).await.unwrap(), i64::MAX);
    assert!(matches!(
        store.increment("fresh", i64::MAX).await,
        Err(Error::Overflow { .. })
    ));
}

// -------------------------------------------------------- compare-and-swap

pub async fn cas_with_none_creates_missing_key(store: Arc<dyn Store>) {
    assert!(store.compare_and_swap("k", None, b"new").await.unwrap());
    assert_eq!(store.get("k").await.unwrap().as_deref(), Some(&b"new"[..]));
}

pub async fn cas_with_none_fails_when_key_exists(store: Arc<dyn Store>) {
    store.set("k", b"there").await.unwrap();
    assert!(!store.compare_and_swap("k", None, b"new").await.unwrap());
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"there"[..])
    );
    store.set("empty", b"").await.unwrap();
    assert!(!store.compare_and_swap("empty", None, b"new").await.unwrap());
}

pub async fn cas_succeeds_when_value_matches(store: Arc<dyn Store>) {
    store.set("k", b"v1").await.unwrap();
    assert!(
        store
            .compare_and_swap("k", Some(b"v1"), b"v2")
            .await
            .unwrap()
    );
    assert!(
        store
            .compare_and_swap("k", Some(b"v2"), b"v3")
            .await
            .unwrap()
    );
    assert_eq!(store.get("k").await.unwrap().as_deref(), Some(&b"v3"[..]));
}

pub async fn cas_fails_when_value_changed(store: Arc<dyn Store>) {
    store.set("k", b"v1").await.unwrap();
    let seen = store.get("k").await.unwrap();
    store.set("k", b"changed").await.unwrap();
    assert!(
        !store
            .compare_and_swap("k", seen.as_deref(), b"mine")
            .await
            .unwrap()
    );
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"changed"[..])
    );
}

pub async fn cas_with_expected_value_fails_when_key_missing(store: Arc<dyn Store>) {
    assert!(
        !store
            .compare_and_swap("k", Some(b"v"), b"new")
            .await
            .unwrap()
    );
    assert!(
        !store
            .compare_and_swap("k", Some(b""), b"new")
            .await
            .unwrap()
    );
    assert_eq!(store.get("k").await.unwrap(), None);
    store.set("k", b"v").await.unwrap();
    store.delete("k").await.unwrap();
    assert!(
        !store
            .compare_and_swap("k", Some(b"v"), b"new")
            .await
            .unwrap()
    );
    assert_eq!(store.get("k").await.unwrap(), None);
}

pub async fn cas_compares_binary_values_exactly(store: Arc<dyn Store>) {
    store.set("k", b"ab\0cd").await.unwrap();
    for wrong in [&b"ab"[..], b"ab\0", b"ab\0ce", b"ab\0cd\0", b"AB\0cd"] {
        assert!(
            !store
                .compare_and_swap("k", Some(wrong), b"new")
                .await
                .unwrap(),
            "{wrong:?} must not match"
        );
    }
    assert!(
        store
            .compare_and_swap("k", Some(b"ab\0cd"), b"\0\xff")
            .await
            .unwrap()
    );
    assert!(
        store
            .compare_and_swap("k", Some(b"\0\xff"), b"")
            .await
            .unwrap()
    );
    assert_eq!(store.get("k").await.unwrap(), Some(Vec::new()));
}

pub async fn cas_distinguishes_empty_value_from_absent(store: Arc<dyn Store>) {
    assert!(store.compare_and_swap("k", None, b"").await.unwrap());
    assert_eq!(store.get("k").await.unwrap(), Some(Vec::new()));
    assert!(!store.compare_and_swap("k", None, b"x").await.unwrap());
    assert!(store.compare_and_swap("k", Some(b""), b"x").await.unwrap());
    assert_eq!(store.get("k").await.unwrap().as_deref(), Some(&b"x"[..]));
}

// -------------------------------------------------------------- concurrency

/// The counter document the CAS tests fight over: a small JSON object, as a
/// versioned record of the platform would be.
fn counter_doc(count: usize) -> Vec<u8> {
    format!("{{\"count\":{count},\"owner\":\"conformance\"}}").into_bytes()
}

fn parse_counter_doc(doc: &[u8]) -> usize {
    let text = std::str::from_utf8(doc).expect("counter document is UTF-8");
    text.strip_prefix("{\"count\":")
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("malformed counter document {text:?}"))
}

/// Adds 1 to the counter document at `key`, `rounds` times, with a
/// read-modify-write loop retried on CAS failure (what a guest does through
/// wasi:keyvalue atomics). Yields between read and write so that concurrent
/// tasks interleave. Returns how many CAS attempts failed.
pub async fn cas_increment_loop(store: Arc<dyn Store>, key: &str, rounds: usize) -> u64 {
    let mut failures = 0;
    for _ in 0..rounds {
        loop {
            let current = store.get(key).await.unwrap();
            let count = current.as_deref().map_or(0, parse_counter_doc);
            tokio::task::yield_now().await;
            if store
                .compare_and_swap(key, current.as_deref(), &counter_doc(count + 1))
                .await
                .unwrap()
            {
                break;
            }
            failures += 1;
        }
    }
    failures
}

/// Reads the counter document at `key` (0 when absent).
pub async fn read_counter_doc(store: &dyn Store, key: &str) -> usize {
    store
        .get(key)
        .await
        .unwrap()
        .as_deref()
        .map_or(0, parse_counter_doc)
}

pub async fn concurrent_cas_loses_no_update(store: Arc<dyn Store>) {
    const TASKS: usize = 64;
    const ROUNDS: usize = 50;
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| tokio::spawn(cas_increment_loop(Arc::clone(&store), "doc", ROUNDS)))
        .collect();
    let mut failures = 0;
    for task in tasks {
        failures += task.await.unwrap();
    }
    assert_eq!(read_counter_doc(&*store, "doc").await, TASKS * ROUNDS);
    // Proves the test provoked real conflicts rather than running serially.
    assert!(
        failures > 0,
        "no CAS conflict happened; the test is too weak"
    );
}

/// Task `t` of the increment test adds `t + 1` if `t` is even and subtracts
/// it otherwise, so a lost or doubled update changes the total.
fn delta_of(task: i64) -> i64 {
    if task % 2 == 0 { task + 1 } else { -(task + 1) }
}

pub async fn concurrent_increment_is_exact(store: Arc<dyn Store>) {
    const TASKS: i64 = 32;
    const ROUNDS: i64 = 100;
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let delta = delta_of(task);
                for _ in 0..ROUNDS {
                    store.increment("total", delta).await.unwrap();
                    store.increment("calls", 1).await.unwrap();
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let expected: i64 = (0..TASKS).map(|t| delta_of(t) * ROUNDS).sum();
    assert_eq!(store.increment("total", 0).await.unwrap(), expected);
    assert_eq!(
        store.get("calls").await.unwrap(),
        Some((TASKS * ROUNDS).to_string().into_bytes())
    );
}
