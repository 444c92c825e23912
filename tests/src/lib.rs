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

/// The platform's gateway configuration.
pub fn gateway_config() -> PathBuf {
    root().join("infra/gateway.toml")
}

/// The four platform components.
pub const PLATFORM: &[&str] = &[
    "unit-lookup",
    "address-validation",
    "producer-updates",
    "order-intake",
];

/// The demo data: the seed file and the demo address register.
pub const DEMO_SEED: &str = "infra/demo/seed.json";
pub const DEMO_REGISTER: &str = "infra/demo/address-register.ndjson";

/// The platform as users reach it: the four components on the real
/// manifest, behind the gateway, with `seeds` loaded.
pub async fn platform(seeds: &[&str], configure: impl FnOnce(&mut LoadOptions)) -> TestHost {
    build_wasm(PLATFORM);
    TestHost::start_seeded("spin.toml", seeds, |o| {
        o.gateway = Some(gateway_config());
        configure(o);
    })
    .await
}

/// [`platform`] with the demo seed and the demo address register.
pub async fn demo_platform(configure: impl FnOnce(&mut LoadOptions)) -> TestHost {
    platform(&[DEMO_SEED, DEMO_REGISTER], configure).await
}

/// A host serving an app on a free loopback port until dropped.
pub struct TestHost {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    /// The running app (its gateway mints development tokens).
    pub runtime: std::sync::Arc<mdm_host::Runtime>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _state: Option<tempfile::TempDir>,
}

impl TestHost {
    /// Starts `manifest` (relative to the repo root) with a fresh state dir.
    pub async fn start(manifest: &str, configure: impl FnOnce(&mut LoadOptions)) -> Self {
        Self::start_seeded(manifest, &[], configure).await
    }

    /// Like [`TestHost::start`], loading seed files (relative to the repo
    /// root) first: JSON seed files, or address-register files (`.ndjson`,
    /// `.csv`) imported into the default store.
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
            let path = root().join(seed);
            if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("ndjson" | "csv")
            ) {
                let store = loaded.stores.get("default").expect("default store").clone();
                let summary =
                    mdm_host::address_import::import_and_report(&path, store, true).await?;
                anyhow::ensure!(summary.rejected() == 0, "{seed}: lines refused");
            } else {
                mdm_host::seed::apply(&path, &loaded.stores).await?;
            }
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        mdm_host::app::attach_gateway(&loaded, &options, addr)?;
        let runtime = loaded.runtime.clone();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(mdm_host::serve(loaded.runtime, listener, async {
            let _ = rx.await;
        }));
        Ok(Self {
            addr,
            runtime,
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(64)
                .build()?,
            shutdown: Some(tx),
            task: Some(task),
            _state: Some(state),
        })
    }

    /// A development-IdP token for a demo user of `role` (the host must run
    /// with a gateway whose dev IdP is on).
    pub fn token(&self, role: &str, org: Option<&str>) -> String {
        let idp = self
            .runtime
            .gateway()
            .and_then(|g| g.dev_idp())
            .expect("this host runs the development IdP");
        idp.mint(
            role.parse().expect("a role name"),
            org,
            Duration::from_secs(600),
        )
        .expect("minting a token")
    }

    /// Signs arbitrary claims with the development IdP's key (for tokens
    /// that must be refused).
    pub fn sign(&self, claims: &serde_json::Value) -> String {
        self.runtime
            .gateway()
            .and_then(|g| g.dev_idp())
            .expect("this host runs the development IdP")
            .sign(claims)
            .expect("signing claims")
    }

    /// The dev IdP's issuer, `http://<addr>/dev-idp`.
    pub fn issuer(&self) -> String {
        format!("http://{}/dev-idp", self.addr)
    }

    /// GET with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request is sent")
    }

    /// `POST /api/v1/producer/units` with `body`, as the demo producer.
    pub async fn create_unit(&self, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/producer/units"))
            .bearer_auth(self.token("producer", None))
            .json(body)
            .send()
            .await
            .unwrap()
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

/// A real OpenID provider (`oidc-provider` from npm, run by `node
/// tests/oidc/provider.mjs`) on a free loopback port, killed on drop.
///
/// It issues RFC 9068 JWT access tokens (RS256, `typ: at+jwt`) through the
/// client credentials grant to two confidential clients:
/// [`OidcProvider::INTEGRATION_CLIENT`], allowed the `mdm:integration` scope,
/// and [`OidcProvider::OTHER_CLIENT`], allowed only `mdm:other`; both have the
/// secret [`OidcProvider::CLIENT_SECRET`]. A token request names the API with
/// `resource=`[`OidcProvider::RESOURCE`] and gets `aud` =
/// [`OidcProvider::AUDIENCE`]. Fails the test with a clear message when Node.js
/// or the npm packages are missing.
pub struct OidcProvider {
    child: Child,
    issuer: String,
    client: reqwest::Client,
}

impl OidcProvider {
    /// The client allowed the `mdm:integration` scope.
    pub const INTEGRATION_CLIENT: &str = "mdm-test-integration";
    /// A client set up alike but not allowed `mdm:integration`.
    pub const OTHER_CLIENT: &str = "mdm-test-other";
    /// The secret of both clients.
    pub const CLIENT_SECRET: &str = "mdm-test-secret";
    /// The resource indicator (RFC 8707) naming the API in a token request;
    /// it must be an absolute URI, so it is not the audience itself.
    pub const RESOURCE: &str = "urn:mdm:api";
    /// The `aud` of the access tokens issued for [`OidcProvider::RESOURCE`].
    pub const AUDIENCE: &str = "mdm-api";

    const SCRIPT: &str = "tests/oidc/provider.mjs";
    const READY: &str = "OIDC_PROVIDER_READY ";
    const START_TIMEOUT: Duration = Duration::from_secs(30);

    pub fn start() -> Self {
        Self::try_start().unwrap_or_else(|e| panic!("the OpenID provider did not start: {e:#}"))
    }

    pub fn try_start() -> anyhow::Result<Self> {
        use std::io::{BufRead, BufReader};

        let root = root();
        if !root.join("tests/oidc/node_modules/oidc-provider").is_dir() {
            anyhow::bail!(
                "tests/oidc/node_modules is missing: run `cargo xtask test`, which runs \
                 `npm ci` in tests/oidc (or run `npm ci` there yourself)"
            );
        }
        let mut child = Command::new("node")
            .current_dir(&root)
            .arg(Self::SCRIPT)
            .env("PORT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    anyhow::anyhow!(
                        "`node` is not on PATH: the OpenID provider of the tests needs \
                         Node.js 20 or later (`apt-get install nodejs npm`), then \
                         `cargo xtask test`"
                    )
                } else {
                    anyhow::anyhow!("could not start `node {}`: {e}", Self::SCRIPT)
                }
            })?;

        // Its stderr is kept for the error below and shown (captured like any
        // test output) as it comes; its stdout is read for the ready line.
        let stderr_lines = std::sync::Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr is piped");
        let kept = stderr_lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("oidc-provider: {line}");
                let mut kept = kept.lock().unwrap_or_else(|e| e.into_inner());
                kept.push_str(&line);
                kept.push('\n');
            }
        });
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                match line.strip_prefix(Self::READY) {
                    Some(issuer) if tx.is_some() => {
                        let _ = tx.take().expect("checked").send(issuer.trim().to_string());
                    }
                    _ => eprintln!("oidc-provider (stdout): {line}"),
                }
            }
        });

        let issuer = match rx.recv_timeout(Self::START_TIMEOUT) {
            Ok(issuer) => issuer,
            Err(e) => {
                let waited = match e {
                    std::sync::mpsc::RecvTimeoutError::Timeout => {
                        let _ = child.kill();
                        format!("was not ready within {:?}", Self::START_TIMEOUT)
                    }
                    std::sync::mpsc::RecvTimeoutError::Disconnected => {
                        "closed its stdout before it was ready".to_string()
                    }
                };
                let status = child.wait();
                // Give the stderr reader a moment to take the last lines.
                std::thread::sleep(Duration::from_millis(100));
                let stderr = stderr_lines.lock().unwrap_or_else(|e| e.into_inner());
                anyhow::bail!(
                    "`node {}` {waited} (exit: {status:?}); its stderr:\n{stderr}",
                    Self::SCRIPT
                );
            }
        };
        Ok(Self {
            child,
            issuer,
            client: reqwest::Client::new(),
        })
    }

    /// The issuer identifier, `http://127.0.0.1:<port>`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The discovery document, `<issuer>/.well-known/openid-configuration`.
    pub async fn discovery(&self) -> serde_json::Value {
        self.get_json(&format!("{}/.well-known/openid-configuration", self.issuer))
            .await
    }

    /// GETs a JSON document, failing the test unless it is served with 200.
    pub async fn get_json(&self, url: &str) -> serde_json::Value {
        let response = self
            .client
            .get(url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let status = response.status();
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: reading the body: {e}"));
        assert!(status.is_success(), "GET {url}: {status}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {url}: not JSON ({e}): {body}"))
    }

    /// Asks the token endpoint (found through discovery) for a client
    /// credentials token, authenticating with `client_secret_basic`, and
    /// returns its status code and JSON body whatever they are: for tests of
    /// refusals (`invalid_scope`, `invalid_target`, `invalid_client`).
    pub async fn token_response(
        &self,
        client_id: &str,
        secret: &str,
        scope: &str,
        resource: &str,
    ) -> (u16, serde_json::Value) {
        use base64::Engine as _;

        let discovery = self.discovery().await;
        let endpoint = discovery["token_endpoint"]
            .as_str()
            .unwrap_or_else(|| panic!("discovery has no token_endpoint: {discovery}"));
        // RFC 6749 §2.3.1: id and secret are form-encoded before Basic.
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            form_encode(client_id),
            form_encode(secret)
        ));
        let response = self
            .client
            .post(endpoint)
            .header("authorization", format!("Basic {credentials}"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", scope),
                ("resource", resource),
            ])
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {endpoint}: {e}"));
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("POST {endpoint}: reading the body: {e}"));
        let json = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("POST {endpoint}: {status}, not JSON ({e}): {body}"));
        (status, json)
    }

    /// A client credentials access token for `client_id`, failing the test
    /// when the provider refuses it.
    pub async fn client_credentials_token(
        &self,
        client_id: &str,
        secret: &str,
        scope: &str,
        resource: &str,
    ) -> String {
        let (status, body) = self
            .token_response(client_id, secret, scope, resource)
            .await;
        assert_eq!(
            status, 200,
            "token request for {client_id} (scope {scope:?}, resource {resource:?}) refused: {body}"
        );
        body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("token response has no access_token: {body}"))
            .to_string()
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Asserts that `response` is an RFC 9457 problem of `status` and
/// `urn:mdm:problem:<kind>` with a detail, and returns its body.
pub async fn problem(response: reqwest::Response, status: u16, kind: &str) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["type"], format!("urn:mdm:problem:{kind}"), "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert!(!body["detail"].as_str().unwrap_or("").is_empty(), "{body}");
    body
}
