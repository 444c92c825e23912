//! The harness of the end-to-end tests: builds the wasm components once per
//! test process, starts the host in-process on a free port with its own
//! state directory, and starts a real `redis-server` where a test needs one.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use mdm_host::{Limits, LoadOptions};
use tokio::sync::oneshot;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Builds the given wasm packages (once per package per test process).
pub fn build_wasm(packages: &[&str]) {
    static BUILT: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(Vec::new()));
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !built.iter().any(|b| b == p))
        .collect();
    if missing.is_empty() {
        return;
    }
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo
        .current_dir(root())
        .args(["build", "--quiet", "--release", "--target", "wasm32-wasip2"]);
    for p in &missing {
        cargo.args(["-p", p]);
    }
    let status = cargo.status().expect("cargo runs");
    assert!(
        status.success(),
        "building {missing:?} for wasm32-wasip2 failed"
    );
    built.extend(missing.iter().map(|p| p.to_string()));
}

/// The four platform components.
pub const PLATFORM: &[&str] = &[
    "unit-lookup",
    "address-validation",
    "producer-updates",
    "order-intake",
];

/// A host serving an app on a free loopback port until dropped.
pub struct TestHost {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _state: Option<tempfile::TempDir>,
}

impl TestHost {
    /// Starts `manifest` (relative to the repo root) with a fresh state dir.
    pub async fn start(manifest: &str, configure: impl FnOnce(&mut LoadOptions)) -> Self {
        Self::start_seeded(manifest, &[], configure).await
    }

    /// Like [`TestHost::start`], loading seed files (relative to the repo root) first.
    pub async fn start_seeded(
        manifest: &str,
        seeds: &[&str],
        configure: impl FnOnce(&mut LoadOptions),
    ) -> Self {
        Self::try_start(manifest, seeds, configure)
            .await
            .unwrap_or_else(|e| panic!("host did not start: {e:#}"))
    }

    pub async fn try_start(
        manifest: &str,
        seeds: &[&str],
        configure: impl FnOnce(&mut LoadOptions),
    ) -> anyhow::Result<Self> {
        let state = tempfile::tempdir()?;
        let mut options = LoadOptions::new(root().join(manifest));
        options.state_dir = Some(state.path().to_path_buf());
        options.limits = Limits {
            deadline: Duration::from_secs(10),
            ..Limits::default()
        };
        configure(&mut options);
        let loaded = mdm_host::load(&options).await?;
        for seed in seeds {
            mdm_host::seed::apply(&root().join(seed), &loaded.stores).await?;
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(mdm_host::serve(loaded.runtime, listener, async {
            let _ = rx.await;
        }));
        Ok(Self {
            addr,
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(64)
                .build()?,
            shutdown: Some(tx),
            task: Some(task),
            _state: Some(state),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request is sent")
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestHost {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A real `redis-server` on a unix socket in a temporary directory, killed
/// on drop. Fails the test with a clear message when Redis is not installed.
pub struct Redis {
    child: Child,
    dir: tempfile::TempDir,
}

impl Redis {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let socket = dir.path().join("redis.sock");
        let child = Command::new("redis-server")
            .args(["--port", "0", "--save", "", "--appendonly", "no"])
            .arg("--unixsocket")
            .arg(&socket)
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "could not start redis-server ({e}); the tests need Redis: \
                     run `cargo xtask test`, which installs it, or `apt-get install redis-server`"
                )
            });
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, dir }
    }

    /// The URL to give a runtime config.
    pub fn url(&self) -> String {
        format!(
            "redis+unix://{}",
            self.dir.path().join("redis.sock").display()
        )
    }

    /// A runtime config file making `label` this Redis.
    pub fn runtime_config(&self, label: &str) -> PathBuf {
        let path = self.dir.path().join("runtime-config.toml");
        std::fs::write(
            &path,
            format!(
                "[key_value_store.{label}]\ntype = \"redis\"\nurl = \"{}\"\n",
                self.url()
            ),
        )
        .expect("write runtime config");
        path
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
