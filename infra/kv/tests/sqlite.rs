//! The SQLite engine: the conformance suite, plus what only SQLite has
//! (store labels sharing one file, Spin's file layout, several backends on
//! one file, transactional rollback).

mod conformance;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use conformance::{Fixture, cas_increment_loop, read_counter_doc};
use mdm_kv::{Error, SqliteBackend, Store};
use rusqlite::Connection;

async fn sqlite_fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let backend = SqliteBackend::open(&dir.path().join("kv.db")).expect("open sqlite backend");
    Fixture::new(Arc::new(backend.store("default")), dir)
}

conformance::conformance_suite!(sqlite_fixture);

fn temp_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("kv.db");
    (dir, path)
}

fn raw(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("raw connection");
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn
}

#[tokio::test]
async fn stores_are_isolated_by_label() {
    let (_dir, path) = temp_db();
    let backend = SqliteBackend::open(&path).unwrap();
    let a = backend.store("a");
    let b = backend.store("b");
    assert_eq!(a.label(), "a");

    a.set("shared", b"from a").await.unwrap();
    b.set("shared", b"from b").await.unwrap();
    a.set("only-a", b"1").await.unwrap();
    assert_eq!(a.get("shared").await.unwrap(), Some(b"from a".to_vec()));
    assert_eq!(b.get("shared").await.unwrap(), Some(b"from b".to_vec()));
    assert!(!b.exists("only-a").await.unwrap());

    let mut a_keys = a.get_keys().await.unwrap();
    a_keys.sort();
    assert_eq!(a_keys, ["only-a", "shared"]);
    assert_eq!(b.get_keys().await.unwrap(), ["shared"]);

    assert_eq!(a.increment("n", 5).await.unwrap(), 5);
    assert_eq!(b.increment("n", 1).await.unwrap(), 1);
    assert!(
        !b.compare_and_swap("only-a", Some(b"1"), b"x")
            .await
            .unwrap()
    );
    assert!(b.compare_and_swap("only-a", None, b"b's").await.unwrap());
    assert_eq!(a.get("only-a").await.unwrap(), Some(b"1".to_vec()));

    b.delete_many(&["shared".into(), "only-a".into(), "n".into()])
        .await
        .unwrap();
    assert!(b.get_keys().await.unwrap().is_empty());
    assert_eq!(a.get_keys().await.unwrap().len(), 3);
    a.delete("shared").await.unwrap();
    assert_eq!(a.get("n").await.unwrap(), Some(b"5".to_vec()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_backends_on_one_file_lose_no_cas_update() {
    const TASKS_PER_BACKEND: usize = 16;
    const ROUNDS: usize = 50;
    let (_dir, path) = temp_db();
    let first: Arc<dyn Store> = Arc::new(SqliteBackend::open(&path).unwrap().store("s"));
    let second: Arc<dyn Store> = Arc::new(SqliteBackend::open(&path).unwrap().store("s"));
    let tasks: Vec<_> = (0..2 * TASKS_PER_BACKEND)
        .map(|i| {
            let store = Arc::clone(if i % 2 == 0 { &first } else { &second });
            tokio::spawn(cas_increment_loop(store, "doc", ROUNDS))
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let expected = 2 * TASKS_PER_BACKEND * ROUNDS;
    assert_eq!(read_counter_doc(&*first, "doc").await, expected);
    assert_eq!(read_counter_doc(&*second, "doc").await, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_backends_on_one_file_lose_no_increment() {
    const TASKS_PER_BACKEND: i64 = 8;
    const ROUNDS: i64 = 100;
    let (_dir, path) = temp_db();
    let first: Arc<dyn Store> = Arc::new(SqliteBackend::open(&path).unwrap().store("s"));
    let second: Arc<dyn Store> = Arc::new(SqliteBackend::open(&path).unwrap().store("s"));
    let tasks: Vec<_> = (0..2 * TASKS_PER_BACKEND)
        .map(|i| {
            let store = Arc::clone(if i % 2 == 0 { &first } else { &second });
            tokio::spawn(async move {
                for _ in 0..ROUNDS {
                    store.increment("n", 3).await.unwrap();
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(
        second.get("n").await.unwrap(),
        Some(
            (2 * TASKS_PER_BACKEND * ROUNDS * 3)
                .to_string()
                .into_bytes()
        )
    );
}

#[tokio::test]
async fn failed_increment_releases_the_write_lock() {
    let (_dir, path) = temp_db();
    let first = SqliteBackend::open(&path).unwrap().store("s");
    let second = SqliteBackend::open(&path).unwrap().store("s");
    first.set("text", b"not a number").await.unwrap();
    assert!(matches!(
        first.increment("text", 1).await,
        Err(Error::NotACounter { .. })
    ));
    first
        .set("max", i64::MAX.to_string().as_bytes())
        .await
        .unwrap();
    assert!(matches!(
        first.increment("max", 1).await,
        Err(Error::Overflow { .. })
    ));
    assert!(!first.compare_and_swap("text", None, b"x").await.unwrap());
    // Had any of those left its transaction open, this would wait for the
    // busy budget (seconds) and then fail with "database is locked".
    let started = Instant::now();
    second.set("other", b"v").await.unwrap();
    second
        .set_many(&[("a".into(), b"1".to_vec())])
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn data_file_uses_spin_table_layout() {
    let (_dir, path) = temp_db();
    let backend = SqliteBackend::open(&path).unwrap();
    assert_eq!(backend.path(), path);
    let store = backend.store("default");
    store.set("greeting", b"hi\0there").await.unwrap();
    store.increment("counter", 42).await.unwrap();

    let conn = raw(&path);
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let mut columns = conn
        .prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info('spin_key_value') ORDER BY cid")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap();
    columns.sort_by_key(|c| c.3);
    assert_eq!(
        columns,
        [
            ("value".to_owned(), "BLOB".to_owned(), true, 0),
            ("store".to_owned(), "TEXT".to_owned(), true, 1),
            ("key".to_owned(), "TEXT".to_owned(), true, 2),
        ]
    );
    let rows = conn
        .prepare("SELECT store, key, value, typeof(value) FROM spin_key_value ORDER BY key")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap();
    assert_eq!(
        rows,
        [
            (
                "default".to_owned(),
                "counter".to_owned(),
                b"42".to_vec(),
                "blob".to_owned()
            ),
            (
                "default".to_owned(),
                "greeting".to_owned(),
                b"hi\0there".to_vec(),
                "blob".to_owned()
            ),
        ]
    );
}

#[tokio::test]
async fn reads_rows_written_by_other_tools() {
    let (_dir, path) = temp_db();
    // A file created the way `spin up` creates it, before we ever open it.
    {
        let conn = raw(&path);
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS spin_key_value (
                 store TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                 PRIMARY KEY (store, key));
             INSERT INTO spin_key_value VALUES ('default', 'blob', x'00ff10');
             INSERT INTO spin_key_value VALUES ('default', 'text', 'plain text');
             INSERT INTO spin_key_value VALUES ('default', 'count', '5');
             INSERT INTO spin_key_value VALUES ('other', 'blob', x'01');",
        )
        .unwrap();
    }
    let store = SqliteBackend::open(&path).unwrap().store("default");
    assert_eq!(store.get("blob").await.unwrap(), Some(vec![0, 0xff, 0x10]));
    assert_eq!(
        store.get("text").await.unwrap(),
        Some(b"plain text".to_vec())
    );
    assert!(
        store
            .compare_and_swap("text", Some(b"plain text"), b"swapped")
            .await
            .unwrap()
    );
    assert_eq!(store.increment("count", 1).await.unwrap(), 6);
    let mut keys = store.get_keys().await.unwrap();
    keys.sort();
    assert_eq!(keys, ["blob", "count", "text"]);
}

#[tokio::test]
async fn data_persists_across_reopen() {
    let (_dir, path) = temp_db();
    {
        let store = SqliteBackend::open(&path).unwrap().store("s");
        store.set("k", b"kept").await.unwrap();
        store.increment("n", 7).await.unwrap();
    }
    let store = SqliteBackend::open(&path).unwrap().store("s");
    assert_eq!(store.get("k").await.unwrap(), Some(b"kept".to_vec()));
    assert_eq!(store.increment("n", 1).await.unwrap(), 8);
}

#[tokio::test]
async fn open_creates_missing_parent_directories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deeply/nested/dir/kv.db");
    let store = SqliteBackend::open(&path).unwrap().store("s");
    store.set("k", b"v").await.unwrap();
    assert!(path.is_file());
}

#[test]
fn open_of_a_directory_is_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = SqliteBackend::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, Error::Other(ref m) if m.starts_with("sqlite:")),
        "{err}"
    );
}

/// Installs triggers that make any write of the key `poison` fail, so a
/// batch can be made to fail half-way through.
fn poison(path: &Path) {
    raw(path)
        .execute_batch(
            "CREATE TRIGGER poison_insert BEFORE INSERT ON spin_key_value
                 WHEN NEW.key = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned key'); END;
             CREATE TRIGGER poison_delete BEFORE DELETE ON spin_key_value
                 WHEN OLD.key = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned key'); END;",
        )
        .unwrap();
}

#[tokio::test]
async fn set_many_failure_rolls_back_everything() {
    let (_dir, path) = temp_db();
    let store = SqliteBackend::open(&path).unwrap().store("s");
    store.set("existing", b"old").await.unwrap();
    poison(&path);
    let err = store
        .set_many(&[
            ("existing".into(), b"new".to_vec()),
            ("fresh".into(), b"1".to_vec()),
            ("poison".into(), b"x".to_vec()),
            ("after".into(), b"2".to_vec()),
        ])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("poisoned key"), "{err}");
    assert_eq!(store.get("existing").await.unwrap(), Some(b"old".to_vec()));
    assert_eq!(store.get_keys().await.unwrap(), ["existing"]);
    // The writer is usable again.
    store.set("fresh", b"1").await.unwrap();
}

#[tokio::test]
async fn delete_many_failure_rolls_back_everything() {
    let (_dir, path) = temp_db();
    let store = SqliteBackend::open(&path).unwrap().store("s");
    store
        .set_many(&[
            ("a".into(), b"1".to_vec()),
            ("poison".into(), b"x".to_vec()),
            ("b".into(), b"2".to_vec()),
        ])
        .await
        .unwrap();
    poison(&path);
    assert!(
        store
            .delete_many(&["a".into(), "poison".into(), "b".into()])
            .await
            .is_err()
    );
    let mut keys = store.get_keys().await.unwrap();
    keys.sort();
    assert_eq!(keys, ["a", "b", "poison"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reads_during_writes_never_fail() {
    let (_dir, path) = temp_db();
    let backend = SqliteBackend::open(&path).unwrap();
    let store: Arc<dyn Store> = Arc::new(backend.store("s"));
    let seed: Vec<(String, Vec<u8>)> = (0..200)
        .map(|i| (format!("k{i}"), vec![b'x'; 900]))
        .collect();
    store.set_many(&seed).await.unwrap();
    let writer = {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            for i in 0..500 {
                store
                    .set(&format!("k{}", i % 200), &[b'y'; 900])
                    .await
                    .unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    let readers: Vec<_> = (0..32)
        .map(|r| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                for i in 0..300 {
                    let value = store.get(&format!("k{}", (i * 7 + r) % 200)).await.unwrap();
                    assert_eq!(value.map(|v| v.len()), Some(900));
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    writer.await.unwrap();
    for reader in readers {
        reader.await.unwrap();
    }
}
