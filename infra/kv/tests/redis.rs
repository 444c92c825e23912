//! The Redis engine against a real `redis-server` started by the tests
//! themselves: the conformance suite, plus URL forms, database isolation and
//! script reloading.
//!
//! These tests FAIL (never skip) when `redis-server` is not installed.

mod conformance;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use conformance::Fixture;
use mdm_kv::{Error, RedisStore, Store};

/// Finds `redis-server` on `PATH`, or fails the test with instructions.
fn redis_server_binary() -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "redis-server is not on PATH: the Redis engine tests need a real Redis server. \
                 Install it (Debian/Ubuntu: `apt-get install -y redis-server`, macOS: \
                 `brew install redis`) and run the tests again."
            )
        })
}

/// Where a test server listens.
enum Listen {
    Unix(PathBuf),
    Tcp(u16),
}

/// A throw-away `redis-server` in a temp dir, without persistence; killed
/// when dropped.
struct RedisServer {
    child: Child,
    listen: Listen,
    dir: tempfile::TempDir,
}

impl RedisServer {
    /// Starts a server listening on a unix socket only.
    fn start_unix() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let socket = dir.path().join("redis.sock");
        Self::start(dir, Listen::Unix(socket))
    }

    /// Starts a server listening on a free TCP port of 127.0.0.1.
    fn start_tcp() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        Self::start(dir, Listen::Tcp(port))
    }

    fn start(dir: tempfile::TempDir, listen: Listen) -> Self {
        let binary = redis_server_binary();
        let mut command = Command::new(&binary);
        command
            .args(["--save", "", "--appendonly", "no", "--databases", "16"])
            .arg("--dir")
            .arg(dir.path())
            .arg("--logfile")
            .arg(dir.path().join("redis.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match &listen {
            Listen::Unix(socket) => {
                command
                    .args(["--port", "0", "--unixsocket"])
                    .arg(socket)
                    .args(["--unixsocketperm", "700"]);
            }
            Listen::Tcp(port) => {
                command
                    .args(["--bind", "127.0.0.1", "--port"])
                    .arg(port.to_string());
            }
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut server = Self { child, listen, dir };
        server.wait_until_ready();
        server
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("poll redis-server") {
                panic!(
                    "redis-server exited with {status} before answering PING; its log:\n{}",
                    self.log()
                );
            }
            if self.answers_ping() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer PING within 10 s; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn answers_ping(&self) -> bool {
        fn ping(mut stream: impl Read + Write) -> bool {
            let mut reply = [0u8; 7];
            stream.write_all(b"PING\r\n").is_ok()
                && stream.read_exact(&mut reply).is_ok()
                && &reply == b"+PONG\r\n"
        }
        let timeout = Some(Duration::from_secs(1));
        match &self.listen {
            Listen::Unix(socket) => UnixStream::connect(socket)
                .is_ok_and(|s| s.set_read_timeout(timeout).is_ok() && ping(s)),
            Listen::Tcp(port) => TcpStream::connect(("127.0.0.1", *port))
                .is_ok_and(|s| s.set_read_timeout(timeout).is_ok() && ping(s)),
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default()
    }

    /// The URL of database `db` on this server.
    fn url(&self, db: u8) -> String {
        match &self.listen {
            Listen::Unix(socket) => format!("redis+unix://{}?db={db}", socket.display()),
            Listen::Tcp(port) => format!("redis://127.0.0.1:{port}/{db}"),
        }
    }

    fn socket(&self) -> &Path {
        match &self.listen {
            Listen::Unix(socket) => socket,
            Listen::Tcp(_) => panic!("not a unix-socket server"),
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn redis_fixture() -> Fixture {
    let server = RedisServer::start_unix();
    let store = RedisStore::connect(&server.url(0))
        .await
        .expect("connect to test redis-server");
    Fixture::new(Arc::new(store), server)
}

conformance::conformance_suite!(redis_fixture);

/// A plain connection for poking at the server behind the store's back.
async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

#[tokio::test]
async fn stores_are_isolated_by_database() {
    let server = RedisServer::start_tcp();
    let three = RedisStore::connect(&server.url(3)).await.unwrap();
    let four = RedisStore::connect(&server.url(4)).await.unwrap();
    three.set("shared", b"in 3").await.unwrap();
    four.set("shared", b"in 4").await.unwrap();
    three.increment("only-3", 1).await.unwrap();
    assert_eq!(three.get("shared").await.unwrap(), Some(b"in 3".to_vec()));
    assert_eq!(four.get("shared").await.unwrap(), Some(b"in 4".to_vec()));
    assert_eq!(four.get_keys().await.unwrap(), ["shared"]);
    four.delete_many(&["shared".into(), "only-3".into()])
        .await
        .unwrap();
    assert_eq!(three.get_keys().await.unwrap(), ["only-3", "shared"]);
}

#[tokio::test]
async fn tcp_url_without_database_uses_database_zero() {
    let server = RedisServer::start_tcp();
    let Listen::Tcp(port) = server.listen else {
        unreachable!()
    };
    let store = RedisStore::connect(&format!("redis://127.0.0.1:{port}"))
        .await
        .unwrap();
    store.set("k", b"v").await.unwrap();
    let zero = RedisStore::connect(&server.url(0)).await.unwrap();
    assert_eq!(zero.get("k").await.unwrap(), Some(b"v".to_vec()));
}

#[tokio::test]
async fn unix_socket_url_forms_are_supported() {
    let server = RedisServer::start_unix();
    let socket = server.socket().display().to_string();
    let plus_unix = RedisStore::connect(&format!("redis+unix://{socket}?db=2"))
        .await
        .unwrap();
    let unix = RedisStore::connect(&format!("unix://{socket}?db=2"))
        .await
        .unwrap();
    let db_zero = RedisStore::connect(&format!("unix://{socket}"))
        .await
        .unwrap();
    plus_unix.set("k", b"v").await.unwrap();
    assert_eq!(unix.get("k").await.unwrap(), Some(b"v".to_vec()));
    assert_eq!(db_zero.get("k").await.unwrap(), None);
}

#[tokio::test]
async fn invalid_url_is_error() {
    for url in [
        "",
        "not a url",
        "http://127.0.0.1:6379",
        "redis://host:notaport",
    ] {
        match RedisStore::connect(url).await {
            Err(Error::Other(message)) => assert!(message.starts_with("redis:"), "{message}"),
            Err(other) => panic!("{url:?}: unexpected error kind {other:?}"),
            Ok(_) => panic!("{url:?} must be rejected"),
        }
    }
}

#[tokio::test]
async fn unreachable_server_is_error() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("redis+unix://{}", dir.path().join("nobody.sock").display());
    let started = Instant::now();
    let err = RedisStore::connect(&url).await.unwrap_err();
    assert!(err.to_string().contains("cannot connect"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[tokio::test]
async fn cas_still_works_after_script_flush() {
    let server = RedisServer::start_unix();
    let store = RedisStore::connect(&server.url(0)).await.unwrap();
    assert!(store.compare_and_swap("k", None, b"1").await.unwrap());
    let mut raw = raw(&server.url(0)).await;
    let () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!(store.compare_and_swap("k", Some(b"1"), b"2").await.unwrap());
    assert!(!store.compare_and_swap("k", Some(b"1"), b"3").await.unwrap());
    assert_eq!(store.get("k").await.unwrap(), Some(b"2".to_vec()));
}

#[tokio::test]
async fn get_keys_skips_keys_that_are_not_utf8() {
    let server = RedisServer::start_unix();
    let store = RedisStore::connect(&server.url(0)).await.unwrap();
    store.set("readable", b"v").await.unwrap();
    let mut raw = raw(&server.url(0)).await;
    let () = redis::cmd("SET")
        .arg(&b"bin\xff\xfe"[..])
        .arg("v")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(store.get_keys().await.unwrap(), ["readable"]);
}

#[tokio::test]
async fn operations_on_a_non_string_value_are_errors() {
    let server = RedisServer::start_unix();
    let store = RedisStore::connect(&server.url(0)).await.unwrap();
    let mut raw = raw(&server.url(0)).await;
    let _: i64 = redis::cmd("RPUSH")
        .arg("list")
        .arg("item")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!(matches!(store.get("list").await, Err(Error::Other(_))));
    assert!(matches!(
        store.increment("list", 1).await,
        Err(Error::Other(_))
    ));
    assert!(matches!(
        store.compare_and_swap("list", None, b"x").await,
        Err(Error::Other(_))
    ));
    assert!(store.exists("list").await.unwrap());
}
