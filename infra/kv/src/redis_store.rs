//! The Redis engine: one Redis database per store label, keys used as-is
//! (like Spin's Redis key-value provider).
//!
//! All commands go through one multiplexed [`ConnectionManager`], which
//! pipelines concurrent requests and reconnects after a connection loss.
//! Because the connection is shared, connection state such as `WATCH` cannot
//! be used; every multi-step operation is therefore a single atomic command
//! (`MSET`, `DEL k1 k2 ...`, `INCRBY`) or a Lua script (compare-and-swap).

use std::fmt;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{Client, RedisError, Script, cmd};
use async_trait::async_trait;

use crate::{Error, Store};

/// Compare-and-swap, atomic because Redis runs a script without
/// interleaving other commands. `ARGV[1]` is `1` when a current value is
/// expected (then `ARGV[2]` holds it) and `0` when the key must be absent;
/// `ARGV[3]` is the new value. Lua strings are binary-safe, so values with
/// NUL bytes compare exactly. Returns 1 when swapped, 0 otherwise.
const CAS_SCRIPT: &str = r"
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then
    return 0
  end
elseif current then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1
";

/// Keys fetched per `SCAN` round trip by [`Store::get_keys`].
const SCAN_COUNT: u32 = 1000;

fn redis_err(context: &str, e: RedisError) -> Error {
    Error::Other(format!("redis: {context}: {e}"))
}

/// A store backed by one Redis database; implements [`Store`].
///
/// Cheap to clone (clones share the multiplexed connection).
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    cas: Script,
}

impl fmt::Debug for RedisStore {
    // The URL may carry a password, so it is deliberately not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore").finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to the Redis database named by `url`:
    /// `redis://[user:password@]host:port[/db]` over TCP (TLS `rediss://` is
    /// not compiled in), or a unix socket as
    /// `redis+unix:///path/redis.sock[?db=N]` or `unix:///path/redis.sock[?db=N]`.
    ///
    /// Fails if the URL is invalid or the server cannot be reached (after a
    /// few retries, within a few seconds). Later connection losses are
    /// repaired transparently by reconnecting.
    pub async fn connect(url: &str) -> Result<Self, Error> {
        let client = Client::open(url).map_err(|e| redis_err("invalid URL", e))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(5))
            .set_response_timeout(Duration::from_secs(30))
            .set_factor(2)
            .set_max_delay(1_000)
            .set_number_of_retries(2);
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| redis_err("cannot connect", e))?;
        Ok(Self {
            conn,
            cas: Script::new(CAS_SCRIPT),
        })
    }
}

#[async_trait]
impl Store for RedisStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let mut conn = self.conn.clone();
        cmd("GET")
            .arg(key)
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_err("GET failed", e))
    }

    async fn set(&self, key: &str, value: &[u8]) -> Result<(), Error> {
        let mut conn = self.conn.clone();
        cmd("SET")
            .arg(key)
            .arg(value)
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_err("SET failed", e))
    }

    async fn delete(&self, key: &str) -> Result<(), Error> {
        let mut conn = self.conn.clone();
        cmd("DEL")
            .arg(key)
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_err("DEL failed", e))
    }

    async fn exists(&self, key: &str) -> Result<bool, Error> {
        let mut conn = self.conn.clone();
        cmd("EXISTS")
            .arg(key)
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_err("EXISTS failed", e))
    }

    /// Walks the database with `SCAN` (never `KEYS`, which blocks the server).
    /// `SCAN` may report a key twice, so the result is deduplicated. Keys
    /// that are not UTF-8 (written by other clients) cannot be named through
    /// this API and are skipped.
    async fn get_keys(&self) -> Result<Vec<String>, Error> {
        let mut conn = self.conn.clone();
        let mut keys = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, batch): (u64, Vec<Vec<u8>>) = cmd("SCAN")
                .arg(cursor)
                .arg("COUNT")
                .arg(SCAN_COUNT)
                .query_async(&mut conn)
                .await
                .map_err(|e| redis_err("SCAN failed", e))?;
            keys.extend(batch.into_iter().filter_map(|k| String::from_utf8(k).ok()));
            if next == 0 {
                break;
            }
            cursor = next;
        }
        keys.sort_unstable();
        keys.dedup();
        Ok(keys)
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<(String, Option<Vec<u8>>)>, Error> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.conn.clone();
        let values: Vec<Option<Vec<u8>>> = cmd("MGET")
            .arg(keys)
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_err("MGET failed", e))?;
        if values.len() != keys.len() {
            return Err(Error::Other(format!(
                "redis: MGET returned {} values for {} keys",
                values.len(),
                keys.len()
            )));
        }
        Ok(keys.iter().cloned().zip(values).collect())
    }

    async fn set_many(&self, entries: &[(String, Vec<u8>)]) -> Result<(), Error> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut mset = cmd("MSET");
        for (key, value) in entries {
            mset.arg(key).arg(value.as_slice());
        }
        let mut conn = self.conn.clone();
        mset.query_async(&mut conn)
            .await
            .map_err(|e| redis_err("MSET failed", e))
    }

    async fn delete_many(&self, keys: &[String]) -> Result<(), Error> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn.clone();
        cmd("DEL")
            .arg(keys)
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_err("DEL failed", e))
    }

    async fn increment(&self, key: &str, delta: i64) -> Result<i64, Error> {
        let mut conn = self.conn.clone();
        cmd("INCRBY")
            .arg(key)
            .arg(delta)
            .query_async(&mut conn)
            .await
            .map_err(|e| {
                // Redis reports these as plain error replies; give them the
                // same typed errors as the SQLite engine.
                let message = e.to_string();
                if message.contains("not an integer") {
                    Error::NotACounter {
                        key: key.to_owned(),
                    }
                } else if message.contains("overflow") {
                    Error::Overflow {
                        key: key.to_owned(),
                        delta,
                    }
                } else {
                    redis_err("INCRBY failed", e)
                }
            })
    }

    /// Runs the compare-and-swap Lua script via `EVALSHA`, loading it on `NOSCRIPT` (e.g.
    /// after a server restart or `SCRIPT FLUSH`).
    async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, Error> {
        let mut conn = self.conn.clone();
        let mut invocation = self.cas.prepare_invoke();
        invocation
            .key(key)
            .arg(if expected.is_some() { "1" } else { "0" })
            .arg(expected.unwrap_or_default())
            .arg(new);
        let swapped: i64 = invocation
            .invoke_async(&mut conn)
            .await
            .map_err(|e| redis_err("compare-and-swap script failed", e))?;
        Ok(swapped == 1)
    }
}
