//! The SQLite engine: every store label in one file, in Spin's table layout.
//!
//! # Concurrency design
//!
//! * One **writer** connection behind a mutex serialises this process's
//!   writes (SQLite allows one writer at a time anyway, so more writer
//!   connections would only contend on the file lock).
//! * A small pool of **reader** connections serves point reads in parallel;
//!   in WAL mode readers never block the writer nor each other.
//! * Every read-modify-write (`increment`, `compare_and_swap`) and every
//!   batch runs in one `BEGIN IMMEDIATE` transaction, so it takes SQLite's
//!   write lock *before* reading. That, not the in-process mutex, is what
//!   keeps several [`SqliteBackend`]s on one file (even in other processes,
//!   e.g. `spin up`) free of lost updates.
//! * Statements are prepared once per connection and cached
//!   (`prepare_cached`).
//!
//! # Why no `spawn_blocking`
//!
//! Operations run directly inside the `async fn`s. A point read or write
//! with a cached statement takes a few microseconds (WAL with
//! `synchronous=NORMAL` does not fsync on commit), which is less than the
//! cost of handing the work to the blocking pool and waking the task again
//! (~10-20 µs and two context switches). Blocking the runtime thread is only
//! long when another *process* holds the write lock; the busy handler then
//! waits at most [`BUSY_BUDGET`] before failing with "database is locked".

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::{Error, Store, parse_counter};

/// Spin's table, verbatim in structure, so a data file is interchangeable
/// with `spin up`'s default key-value store.
const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS spin_key_value (
    store TEXT NOT NULL,
    key   TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (store, key)
)";

const SELECT_VALUE: &str = "SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2";
const SELECT_EXISTS: &str = "SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2";
const SELECT_KEYS: &str = "SELECT key FROM spin_key_value WHERE store = ?1";
const UPSERT: &str = "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
    ON CONFLICT (store, key) DO UPDATE SET value = excluded.value";
const DELETE: &str = "DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2";

/// How long an operation waits for another connection's write lock before
/// failing (the sum of the busy handler's sleeps, see [`busy_wait`]).
const BUSY_BUDGET: Duration = Duration::from_secs(5);

/// Memory-map up to this much of the file on reader connections: point
/// reads then copy from the page cache without a `read` syscall per page.
const READER_MMAP_BYTES: i64 = 256 * 1024 * 1024;

/// Busy handler shared by all connections. SQLite's built-in
/// `busy_timeout` backs off up to 100 ms per retry, which is far longer than
/// the microseconds another connection actually holds the lock for; this
/// one starts at 25 µs and caps at 2 ms, giving up after about
/// [`BUSY_BUDGET`].
fn busy_wait(attempt: i32) -> bool {
    const FIRST_MICROS: u64 = 25;
    const CAP_MICROS: u64 = 2_000;
    // The first eight sleeps sum to ~5 ms; every further one is CAP_MICROS.
    let max_attempts = 8 + BUSY_BUDGET.as_micros() as u64 / CAP_MICROS;
    let attempt = u64::try_from(attempt).unwrap_or(0);
    if attempt >= max_attempts {
        return false;
    }
    let micros = (FIRST_MICROS << attempt.min(7)).min(CAP_MICROS);
    std::thread::sleep(Duration::from_micros(micros));
    true
}

/// What [`Store::get_many`] returns: each requested key with its value.
type KeyValues = Vec<(String, Option<Vec<u8>>)>;

fn sql(e: rusqlite::Error) -> Error {
    Error::Other(format!("sqlite: {e}"))
}

/// Locks a mutex, ignoring poisoning: the protected connection stays valid
/// after a panic (an open transaction is rolled back when it is dropped).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads the `value` column. Spin writes BLOBs; TEXT (and INTEGER) written
/// by other tools is accepted too so such files stay readable.
fn value_bytes(v: ValueRef<'_>) -> rusqlite::Result<Vec<u8>> {
    match v {
        ValueRef::Blob(b) | ValueRef::Text(b) => Ok(b.to_vec()),
        ValueRef::Integer(i) => Ok(i.to_string().into_bytes()),
        other => Err(rusqlite::Error::InvalidColumnType(
            0,
            "value".into(),
            other.data_type(),
        )),
    }
}

fn open_connection(path: &Path) -> Result<Connection, Error> {
    let conn = Connection::open(path).map_err(sql)?;
    conn.busy_handler(Some(busy_wait)).map_err(sql)?;
    Ok(conn)
}

fn open_writer(path: &Path) -> Result<Connection, Error> {
    let conn = open_connection(path)?;
    // WAL is persistent in the file; asking again is cheap and idempotent.
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
        .map_err(sql)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(sql)?;
    conn.execute_batch(CREATE_TABLE).map_err(sql)?;
    Ok(conn)
}

fn open_reader(path: &Path) -> Result<Connection, Error> {
    let conn = open_connection(path)?;
    conn.pragma_update(None, "query_only", true).map_err(sql)?;
    conn.pragma_update(None, "mmap_size", READER_MMAP_BYTES)
        .map_err(sql)?;
    Ok(conn)
}

/// State shared by a backend and all the stores it handed out.
struct Shared {
    path: PathBuf,
    writer: Mutex<Connection>,
    idle_readers: Mutex<Vec<Connection>>,
    max_idle_readers: usize,
}

impl Shared {
    /// Borrows a reader connection: an idle one, or a fresh one when all are
    /// busy (so concurrency is never capped by the pool size).
    fn reader(&self) -> Result<Reader<'_>, Error> {
        let idle = lock(&self.idle_readers).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => open_reader(&self.path)?,
        };
        Ok(Reader {
            shared: self,
            conn: Some(conn),
        })
    }
}

/// A reader connection on loan; goes back to the pool when dropped (or is
/// closed if the pool already holds enough idle connections).
struct Reader<'a> {
    shared: &'a Shared,
    conn: Option<Connection>,
}

impl std::ops::Deref for Reader<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
            .as_ref()
            .expect("reader connection present until drop")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let mut idle = lock(&self.shared.idle_readers);
            if idle.len() < self.shared.max_idle_readers {
                idle.push(conn);
            }
        }
    }
}

/// The SQLite key-value engine: one database file holding every store
/// label, in Spin's `spin_key_value` table.
///
/// Cheap to clone (all clones share the connections). Several backends, in
/// this process or others, may open the same file concurrently.
#[derive(Clone)]
pub struct SqliteBackend {
    shared: Arc<Shared>,
}

impl fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteBackend")
            .field("path", &self.shared.path)
            .finish_non_exhaustive()
    }
}

impl SqliteBackend {
    /// Opens (creating it and its parent directories if needed) the database
    /// file at `path`, switches it to WAL mode with `synchronous=NORMAL`,
    /// and creates Spin's `spin_key_value` table if missing.
    pub fn open(path: &Path) -> Result<Self, Error> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                Error::Other(format!(
                    "sqlite: cannot create directory {}: {e}",
                    parent.display()
                ))
            })?;
        }
        let writer = open_writer(path)?;
        // Open one reader now so a problem shows up at start-up, not on the
        // first request.
        let first_reader = open_reader(path)?;
        let parallelism = std::thread::available_parallelism().map_or(2, usize::from);
        Ok(Self {
            shared: Arc::new(Shared {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                idle_readers: Mutex::new(vec![first_reader]),
                max_idle_readers: (2 * parallelism).max(4),
            }),
        })
    }

    /// The store named `label` (Spin's `store` column). Stores with different
    /// labels never see each other's keys.
    pub fn store(&self, label: &str) -> SqliteStore {
        SqliteStore {
            shared: Arc::clone(&self.shared),
            label: label.into(),
        }
    }

    /// The database file this backend uses.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }
}

/// One store label of a [`SqliteBackend`]; implements [`Store`].
///
/// Cheap to clone.
#[derive(Clone)]
pub struct SqliteStore {
    shared: Arc<Shared>,
    label: Arc<str>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.shared.path)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// The store label (the value of Spin's `store` column).
    pub fn label(&self) -> &str {
        &self.label
    }

    fn get_sync(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let conn = self.shared.reader()?;
        let mut stmt = conn.prepare_cached(SELECT_VALUE).map_err(sql)?;
        stmt.query_row(params![&*self.label, key], |row| {
            value_bytes(row.get_ref(0)?)
        })
        .optional()
        .map_err(sql)
    }

    fn set_sync(&self, key: &str, value: &[u8]) -> Result<(), Error> {
        let conn = lock(&self.shared.writer);
        let mut stmt = conn.prepare_cached(UPSERT).map_err(sql)?;
        stmt.execute(params![&*self.label, key, value])
            .map_err(sql)?;
        Ok(())
    }

    fn delete_sync(&self, key: &str) -> Result<(), Error> {
        let conn = lock(&self.shared.writer);
        let mut stmt = conn.prepare_cached(DELETE).map_err(sql)?;
        stmt.execute(params![&*self.label, key]).map_err(sql)?;
        Ok(())
    }

    fn exists_sync(&self, key: &str) -> Result<bool, Error> {
        let conn = self.shared.reader()?;
        let mut stmt = conn.prepare_cached(SELECT_EXISTS).map_err(sql)?;
        stmt.exists(params![&*self.label, key]).map_err(sql)
    }

    fn get_keys_sync(&self) -> Result<Vec<String>, Error> {
        let conn = self.shared.reader()?;
        let mut stmt = conn.prepare_cached(SELECT_KEYS).map_err(sql)?;
        let keys = stmt
            .query_map(params![&*self.label], |row| row.get::<_, String>(0))
            .map_err(sql)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql)?;
        Ok(keys)
    }

    fn get_many_sync(&self, keys: &[String]) -> Result<KeyValues, Error> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let conn = self.shared.reader()?;
        // One read transaction = one WAL snapshot for the whole batch.
        let tx = conn.unchecked_transaction().map_err(sql)?;
        let mut out = Vec::with_capacity(keys.len());
        {
            let mut stmt = tx.prepare_cached(SELECT_VALUE).map_err(sql)?;
            for key in keys {
                let value = stmt
                    .query_row(params![&*self.label, key], |row| {
                        value_bytes(row.get_ref(0)?)
                    })
                    .optional()
                    .map_err(sql)?;
                out.push((key.clone(), value));
            }
        }
        tx.commit().map_err(sql)?;
        Ok(out)
    }

    fn set_many_sync(&self, entries: &[(String, Vec<u8>)]) -> Result<(), Error> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut conn = lock(&self.shared.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        {
            let mut stmt = tx.prepare_cached(UPSERT).map_err(sql)?;
            for (key, value) in entries {
                stmt.execute(params![&*self.label, key, value])
                    .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }

    fn delete_many_sync(&self, keys: &[String]) -> Result<(), Error> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut conn = lock(&self.shared.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        {
            let mut stmt = tx.prepare_cached(DELETE).map_err(sql)?;
            for key in keys {
                stmt.execute(params![&*self.label, key]).map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }

    fn increment_sync(&self, key: &str, delta: i64) -> Result<i64, Error> {
        let mut conn = lock(&self.shared.writer);
        // IMMEDIATE: take the write lock before reading, so no other
        // connection (in any process) can write between our read and write.
        // Returning early drops `tx`, which rolls back and releases the lock.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let current = tx
            .prepare_cached(SELECT_VALUE)
            .map_err(sql)?
            .query_row(params![&*self.label, key], |row| {
                value_bytes(row.get_ref(0)?)
            })
            .optional()
            .map_err(sql)?;
        let base = match current {
            None => 0,
            Some(bytes) => parse_counter(&bytes).ok_or_else(|| Error::NotACounter {
                key: key.to_owned(),
            })?,
        };
        let new = base.checked_add(delta).ok_or_else(|| Error::Overflow {
            key: key.to_owned(),
            delta,
        })?;
        tx.prepare_cached(UPSERT)
            .map_err(sql)?
            .execute(params![&*self.label, key, new.to_string().as_bytes()])
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(new)
    }

    fn compare_and_swap_sync(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, Error> {
        let mut conn = lock(&self.shared.writer);
        // Same reasoning as in `increment_sync`. The comparison is done here
        // rather than in SQL (`WHERE value = ?`) because SQLite never
        // considers a TEXT value equal to a BLOB, and values written by other
        // tools may be TEXT.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let current = tx
            .prepare_cached(SELECT_VALUE)
            .map_err(sql)?
            .query_row(params![&*self.label, key], |row| {
                value_bytes(row.get_ref(0)?)
            })
            .optional()
            .map_err(sql)?;
        if current.as_deref() != expected {
            return Ok(false);
        }
        tx.prepare_cached(UPSERT)
            .map_err(sql)?
            .execute(params![&*self.label, key, new])
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(true)
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        self.get_sync(key)
    }

    async fn set(&self, key: &str, value: &[u8]) -> Result<(), Error> {
        self.set_sync(key, value)
    }

    async fn delete(&self, key: &str) -> Result<(), Error> {
        self.delete_sync(key)
    }

    async fn exists(&self, key: &str) -> Result<bool, Error> {
        self.exists_sync(key)
    }

    async fn get_keys(&self) -> Result<Vec<String>, Error> {
        self.get_keys_sync()
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<(String, Option<Vec<u8>>)>, Error> {
        self.get_many_sync(keys)
    }

    async fn set_many(&self, entries: &[(String, Vec<u8>)]) -> Result<(), Error> {
        self.set_many_sync(entries)
    }

    async fn delete_many(&self, keys: &[String]) -> Result<(), Error> {
        self.delete_many_sync(keys)
    }

    async fn increment(&self, key: &str, delta: i64) -> Result<i64, Error> {
        self.increment_sync(key, delta)
    }

    async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, Error> {
        self.compare_and_swap_sync(key, expected, new)
    }
}
