//! `cargo xtask bench`: starts the real `mdm-host` binary on the platform's
//! `spin.toml` with a generated data set, drives it over HTTP from this
//! process and prints requests/s and p50/p99 latency, plus the start-up time
//! with a warm compile cache. Figures from one run are comparable with each
//! other; absolute numbers depend on the (shared, noisy) machine.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

#[derive(Parser)]
struct Options {
    /// Units in the generated data set.
    #[arg(long, default_value_t = 50_000)]
    units: usize,
    /// Concurrent connections of the load generator.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Seconds of load per scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Address places in the generated register (0 skips the register
    /// scenarios).
    #[arg(long, default_value_t = 1_000_000)]
    places: usize,
    /// Sizes of the generated unit registry for the registry scenarios
    /// (none skips them).
    #[arg(long, value_delimiter = ',', default_values_t = [5_000, 50_000])]
    registry: Vec<usize>,
    /// Skip the Spin-parity scenarios (the corpus apps' kinds of component).
    #[arg(long)]
    skip_parity: bool,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("infra/bench is two levels down")
        .to_path_buf()
}

fn hsa_id(i: usize) -> String {
    format!("SE2321000016-B{i:06}")
}

/// A seed file of `n` units of roughly 900 bytes each.
fn write_seed(path: &Path, n: usize) -> anyhow::Result<()> {
    let mut documents = serde_json::Map::new();
    for i in 0..n {
        let id = hsa_id(i);
        let unit = serde_json::json!({
            "hsa_id": id,
            "name": format!("Benchmarkmottagning {i}"),
            "kind": "care-unit",
            "parent": "SE2321000016-0001",
            "care_provider": "SE2321000016-0001",
            "organisation_number": "2321000016",
            "ownership": "region",
            "source": "mdm",
            "status": "active",
            "visiting_address": {
                "address": {"street": "Sveavägen", "number": (i % 200 + 1).to_string(),
                    "postal_code": "111 34", "post_town": "Stockholm", "municipality_code": "0180"},
                "verification": {"register_id": "8c1b6a2e-0f4d-4a8e-9a55-3f0e2d9c1b70",
                    "source": "bench", "verified_at": "2026-12-01T08:00:00Z"}
            },
            "contact": {"phone": "+46 8 123 456 00", "email": "mottagning@example.se", "web": "https://www.1177.se"},
            "business_classification_codes": ["1100", "1300"],
            "care_types": ["01", "02"],
            "business_type": "02",
            "municipality_code": "0180",
            "county_code": "01",
            "valid_from": "2020-01-01",
            "version": 1,
            "created_at": "2026-12-01T08:00:00Z",
            "created_by": "bench",
            "updated_at": "2026-12-01T08:00:00Z",
            "updated_by": "bench"
        });
        documents.insert(format!("unit/{id}"), unit);
    }
    let seed = serde_json::json!({"store": "default", "documents": documents});
    std::fs::write(path, serde_json::to_vec(&seed)?)?;
    Ok(())
}

struct Host {
    child: Child,
    url: String,
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `mdm-host up` on the platform's `spin.toml` and waits for its
/// `Serving http://…` line.
fn start_host(state: &Path, seed: Option<&Path>, auth: Auth) -> anyhow::Result<Host> {
    start_app("spin.toml", state, seed, auth)
}

/// Whether the gateway checks tokens in a scenario.
#[derive(Clone, Copy, PartialEq)]
enum Auth {
    Off,
    /// The platform's gateway (infra/gateway.toml) with its development IdP.
    Gateway,
}

fn start_app(
    manifest: &str,
    state: &Path,
    seed: Option<&Path>,
    auth: Auth,
) -> anyhow::Result<Host> {
    let binary = root().join("target/release/mdm-host");
    let mut command = Command::new(&binary);
    command
        .current_dir(root())
        .args([
            "up",
            "--listen",
            "127.0.0.1:0",
            "-f",
            manifest,
            "--state-dir",
        ])
        .arg(state)
        // The probe app and the parity corpus require these variables; the
        // platform ignores them.
        .env("SPIN_VARIABLE_API_TOKEN", "bench")
        .env("SPIN_VARIABLE_REGION", "bench")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(seed) = seed {
        command.arg("--seed").arg(seed);
    }
    if auth == Auth::Off {
        command.arg("--no-auth");
    }
    let mut child = command
        .spawn()
        .with_context(|| format!("could not start {}", binary.display()))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let Some(line) = lines.next() else {
            bail!("mdm-host exited before serving");
        };
        if let Some(url) = line?.strip_prefix("Serving ") {
            break url.trim().to_string();
        }
    };
    // Keep draining stdout so the host never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok(Host { child, url })
}

/// A viewer token from the host's development IdP.
fn viewer_token(host: &Host, state: &Path) -> anyhow::Result<String> {
    token(host, state, "viewer", None)
}

/// A token of `role` (acting for `org`) from the host's development IdP.
fn token(host: &Host, state: &Path, role: &str, org: Option<&str>) -> anyhow::Result<String> {
    let listen = host.url.trim_start_matches("http://");
    let output = Command::new(root().join("target/release/mdm-host"))
        .current_dir(root())
        .args(["token", "--role", role, "--listen", listen, "--state-dir"])
        .arg(state)
        .args(org.map(|o| ["--org", o]).into_iter().flatten())
        .output()?;
    if !output.status.success() {
        bail!(
            "mdm-host token failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?.trim().to_string())
}

/// One request of a scenario: a GET of a path, a POST of a JSON body, or a
/// PATCH with a merge patch and `If-Match: *`.
#[derive(Clone)]
enum Call {
    Get(String),
    PostJson(String, Bytes),
    MergePatch(String, Bytes),
}

async fn send(client: &mut Conn, call: &Call, token: Option<&str>) -> anyhow::Result<u16> {
    let (builder, body) = match call {
        Call::Get(path) => (hyper::Request::get(path), Bytes::new()),
        Call::PostJson(path, body) => (
            hyper::Request::post(path).header("content-type", "application/json"),
            body.clone(),
        ),
        Call::MergePatch(path, body) => (
            hyper::Request::patch(path)
                .header("content-type", "application/merge-patch+json")
                .header("if-match", "*"),
            body.clone(),
        ),
    };
    let mut req = builder.header("host", "bench");
    if let Some(token) = token {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    let req = req.body(Full::new(body))?;
    let response = client.send_request(req).await?;
    let status = response.status().as_u16();
    response.into_body().collect().await?;
    Ok(status)
}

async fn get_status(client: &mut Conn, path: &str, token: Option<&str>) -> anyhow::Result<u16> {
    send(client, &Call::Get(path.to_string()), token).await
}

type Conn = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(url: &str) -> anyhow::Result<Conn> {
    let addr = url.trim_start_matches("http://");
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

struct Figures {
    requests: usize,
    errors: usize,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Runs `connections` keep-alive connections for `seconds`, each asking for
/// the paths `path_of(i)` in turn.
async fn load(
    url: &str,
    token: Option<String>,
    connections: usize,
    seconds: u64,
    path_of: Arc<dyn Fn(usize) -> String + Send + Sync>,
) -> anyhow::Result<Figures> {
    load_calls(
        url,
        token,
        connections,
        seconds,
        Arc::new(move |i| Call::Get(path_of(i))),
    )
    .await
}

/// Like [`load`], for any calls.
async fn load_calls(
    url: &str,
    token: Option<String>,
    connections: usize,
    seconds: u64,
    call_of: Arc<dyn Fn(usize) -> Call + Send + Sync>,
) -> anyhow::Result<Figures> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..connections {
        let mut conn = connect(url).await?;
        let stop = stop.clone();
        let call_of = call_of.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut i = c * 7919;
            while !stop.load(Ordering::Relaxed) {
                let call = call_of(i);
                i += 1;
                let started = Instant::now();
                match send(&mut conn, &call, token.as_deref()).await {
                    Ok(200) => latencies.push(started.elapsed().as_micros() as u32),
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map(|&us| us as f64 / 1000.0)
            .unwrap_or(f64::NAN)
    };
    Ok(Figures {
        requests: latencies.len(),
        errors,
        rps: latencies.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    })
}

fn report(name: &str, f: &Figures) {
    println!(
        "{name:<44} {:>10.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   ({} ok, {} errors)",
        f.rps, f.p50_ms, f.p99_ms, f.requests, f.errors
    );
}

/// Time from starting `mdm-host up` to its first successful response.
async fn startup_ms(state: &Path) -> anyhow::Result<f64> {
    let started = Instant::now();
    let host = start_host(state, None, Auth::Off)?;
    let mut conn = connect(&host.url).await?;
    let status = get_status(&mut conn, "/api/v1/units/SE2321000016-B000000", None).await?;
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    if status != 200 {
        bail!("first response was {status}, not 200");
    }
    Ok(elapsed)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    let state = tempfile::tempdir()?;
    let seed = state.path().join("seed.json");
    write_seed(&seed, options.units)?;

    // First start: compiles the components (cold cache) and loads the data.
    let started = Instant::now();
    let host = start_host(state.path(), Some(&seed), Auth::Off)?;
    let cold_ms = started.elapsed().as_secs_f64() * 1000.0;
    drop(host);
    let warm_ms = startup_ms(state.path()).await?;

    let host = start_host(state.path(), None, Auth::Off)?;
    let n = options.units;
    println!(
        "mdm-host benchmark: {} units, {} connections, {} s per scenario",
        n, options.connections, options.seconds
    );
    println!("start-up with data load and cold compile cache: {cold_ms:>8.0} ms");
    println!("start-up to first response, warm compile cache: {warm_ms:>8.0} ms");

    let unit_path = Arc::new(move |i| format!("/api/v1/units/{}", hsa_id((i * 104_729) % n)));
    let read = load(
        &host.url,
        None,
        options.connections,
        options.seconds,
        unit_path.clone(),
    )
    .await?;
    report("GET /api/v1/units/{id} (key-value read)", &read);
    drop(host);

    // The same reads through the gateway: every request's token is checked
    // (signature, issuer, audience, times) and its roles against the policy.
    let host = start_host(state.path(), None, Auth::Gateway)?;
    let token = viewer_token(&host, state.path())?;
    let gated = load(
        &host.url,
        Some(token),
        options.connections,
        options.seconds,
        unit_path,
    )
    .await?;
    report("  the same with token validation (viewer)", &gated);
    println!(
        "token validation keeps {:.0}% of the throughput",
        100.0 * gated.rps / read.rps
    );
    drop(host);

    // The floor: a spin-sdk component that answers without touching the
    // store, on the same host. The ratio says what the read itself costs.
    let probe_state = tempfile::tempdir()?;
    let probe = start_app(
        "tests/apps/host-probe/spin.toml",
        probe_state.path(),
        None,
        Auth::Off,
    )?;
    let hello = load(
        &probe.url,
        None,
        options.connections,
        options.seconds,
        Arc::new(|_| "/probe/hello".to_string()),
    )
    .await?;
    report("GET /probe/hello (fresh instance, no store)", &hello);
    println!(
        "key-value read / hello throughput ratio: {:.2}",
        read.rps / hello.rps
    );
    drop(probe);

    if !options.skip_parity {
        parity(&options).await?;
    }
    if options.places > 0 {
        register(&options, state.path(), &read, &gated).await?;
    }
    let mut sizes = Vec::new();
    for &units in &options.registry {
        sizes.push((units, registry(&options, units).await?));
    }
    if sizes.len() > 1 {
        println!();
        println!("unit registry by size (through the gateway):");
        println!(
            "{:>8} {:>12} {:>10} {:>12} {:>12} {:>12} {:>12} {:>10} {:>10}",
            "units",
            "get p99 ms",
            "get/s",
            "sel p50 ms",
            "sel p99 ms",
            "unsel p50",
            "unsel p99",
            "feed/s",
            "update/s"
        );
        for (units, f) in &sizes {
            println!(
                "{units:>8} {:>12.2} {:>10.0} {:>12.2} {:>12.2} {:>12.2} {:>12.2} {:>10.0} {:>10.0}",
                f.get.p99_ms,
                f.get.rps,
                f.selective.p50_ms,
                f.selective.p99_ms,
                f.unselective.p50_ms,
                f.unselective.p99_ms,
                f.feed.rps,
                f.update.rps
            );
        }
    }
    Ok(())
}

/// The three kinds of `source` the host accepts, from the Spin-parity
/// corpus: a spin-sdk 5 component, a spin-sdk 3.1 core module for
/// wasm32-wasip1 (adapted with WASI's preview1 adapter at load time) and a
/// wit-bindgen core module for wasm32-unknown-unknown (no adapter). Each:
/// start-up to the first answer with a warm compile cache (includes turning
/// a core module into a component, which is not cached), and an echo route
/// under load, as a ratio to the component.
async fn parity(options: &Options) -> anyhow::Result<()> {
    let apps = [
        (
            "spin-sdk 5 component (wasm32-wasip2)",
            "sdk-current",
            "/hello",
        ),
        (
            "spin-sdk 3.1 core module (wasm32-wasip1)",
            "sdk3-wasip1",
            "/legacy/headers",
        ),
        (
            "wit-bindgen core module (unknown-unknown)",
            "bindgen-unknown",
            "/",
        ),
    ];
    println!();
    println!("Spin parity: the corpus' kinds of component, echo route");
    let mut baseline: Option<f64> = None;
    for (label, app, path) in apps {
        let manifest = format!("tests/spin-apps/{app}/spin.toml");
        let status = Command::new(root().join("target/release/mdm-host"))
            .current_dir(root())
            .args(["build", "-f", &manifest])
            .status()?;
        if !status.success() {
            bail!("mdm-host build -f {manifest} failed");
        }
        let state = tempfile::tempdir()?;
        drop(start_app(&manifest, state.path(), None, Auth::Off)?);
        let started = Instant::now();
        let host = start_app(&manifest, state.path(), None, Auth::Off)?;
        let mut conn = connect(&host.url).await?;
        let first = get_status(&mut conn, path, None).await?;
        let warm_ms = started.elapsed().as_secs_f64() * 1000.0;
        if first != 200 {
            bail!("{app}: first answer to {path} was {first}, not 200");
        }
        let figures = load(
            &host.url,
            None,
            options.connections,
            options.seconds,
            Arc::new(move |_| path.to_string()),
        )
        .await?;
        report(label, &figures);
        let ratio = figures.rps / *baseline.get_or_insert(figures.rps);
        println!(
            "  start-up to first answer (warm cache) {warm_ms:>6.0} ms; throughput ratio to the component {ratio:.2}"
        );
    }
    Ok(())
}

struct RegistryFigures {
    get: Figures,
    selective: Figures,
    unselective: Figures,
    update: Figures,
    feed: Figures,
}

/// The unit registry with `units` generated units: get-by-id, a selective
/// and an unselective search, producer updates, then change-feed pages over
/// the changes those updates made. All through the gateway.
async fn registry(options: &Options, units: usize) -> anyhow::Result<RegistryFigures> {
    let state = tempfile::tempdir()?;
    let generated = mdm_unit_gen::generate(&mdm_unit_gen::Config {
        units,
        seed: 2026,
        register_seed: 2026,
    });
    let seed = state.path().join("units.json");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&seed)?);
    mdm_unit_gen::write_seed(&generated, &mut out)?;
    std::io::Write::flush(&mut out)?;
    drop(out);
    let ids: Arc<Vec<String>> = Arc::new(generated.iter().map(|u| u.hsa_id.clone()).collect());
    let parents: Arc<Vec<String>> = Arc::new(
        generated
            .iter()
            .filter_map(|u| u.parent.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
    );
    let region: Arc<Vec<String>> = Arc::new(
        generated
            .iter()
            .filter(|u| {
                u.ownership == mdm_types::Ownership::Region
                    && u.status == mdm_types::UnitStatus::Active
            })
            .map(|u| u.hsa_id.clone())
            .collect(),
    );
    drop(generated);

    let started = Instant::now();
    let host = start_host(state.path(), Some(&seed), Auth::Gateway)?;
    println!();
    println!(
        "unit registry: {units} units loaded and indexed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let viewer = token(&host, state.path(), "viewer", None)?;
    let producer = token(&host, state.path(), "producer", Some("2321000016"))?;
    let run = |token: &String, call_of: Arc<dyn Fn(usize) -> Call + Send + Sync>| {
        load_calls(
            &host.url,
            Some(token.clone()),
            options.connections,
            options.seconds,
            call_of,
        )
    };
    let n = ids.len();
    let by_id = ids.clone();
    let get = run(
        &viewer,
        Arc::new(move |i| Call::Get(format!("/api/v1/units/{}", by_id[(i * 104_729) % n]))),
    )
    .await?;
    report("GET /api/v1/units/{id}", &get);
    let selective = run(
        &viewer,
        Arc::new(move |i| {
            Call::Get(format!(
                "/api/v1/units?parent={}&limit=50",
                parents[(i * 7919) % parents.len()]
            ))
        }),
    )
    .await?;
    report("GET /api/v1/units?parent=… (selective)", &selective);
    let unselective = run(
        &viewer,
        Arc::new(|_| Call::Get("/api/v1/units?kind=care-unit&limit=50".into())),
    )
    .await?;
    report(
        "GET /api/v1/units?kind=care-unit (unselective)",
        &unselective,
    );
    println!(
        "search p99 / get p99: {:.1} (selective), {:.1} (unselective)",
        selective.p99_ms / get.p99_ms,
        unselective.p99_ms / get.p99_ms
    );
    let update = run(
        &producer,
        Arc::new(move |i| {
            Call::MergePatch(
                format!(
                    "/api/v1/producer/units/{}",
                    region[(i * 7919) % region.len()]
                ),
                Bytes::from(format!("{{\"name\":\"Benchmottagning {i}\"}}")),
            )
        }),
    )
    .await?;
    report("PATCH /api/v1/producer/units/{id} (If-Match: *)", &update);
    let changes = update.requests.max(101);
    let feed = run(
        &viewer,
        Arc::new(move |i| {
            Call::Get(format!(
                "/api/v1/changes?since={}&limit=100",
                (i * 7919) % (changes - 100)
            ))
        }),
    )
    .await?;
    report("GET /api/v1/changes?limit=100 (page)", &feed);
    Ok(RegistryFigures {
        get,
        selective,
        unselective,
        update,
        feed,
    })
}

/// Runs `mdm-host import-addresses` on `file`; returns the seconds it took.
fn import_register(state: &Path, file: &Path) -> anyhow::Result<f64> {
    let started = Instant::now();
    let output = Command::new(root().join("target/release/mdm-host"))
        .current_dir(root())
        .args(["import-addresses", "-f", "spin.toml", "--state-dir"])
        .arg(state)
        .arg(file)
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null())
        .output()?;
    if !output.status.success() {
        bail!(
            "import-addresses failed: {}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
    Ok(started.elapsed().as_secs_f64())
}

/// One-line addresses to validate: every `step`-th place of the register
/// file, and for every tenth of them a number the street does not have (an
/// unknown address, answered with suggestions).
fn validation_bodies(file: &Path, wanted: usize) -> anyhow::Result<Vec<Bytes>> {
    let text = std::fs::read_to_string(file)?;
    let lines: Vec<&str> = text.lines().collect();
    let step = (lines.len() / wanted).max(1);
    let mut bodies = Vec::new();
    for (k, line) in lines.iter().step_by(step).enumerate() {
        let place: serde_json::Value = serde_json::from_str(line)?;
        let field = |name: &str| place[name].as_str().unwrap_or("").to_string();
        let number = if k % 10 == 9 {
            "9999".to_string()
        } else {
            field("adressplatsnummer")
        };
        let address = format!(
            "{} {} {}, {} {}",
            field("adressomrade"),
            number,
            field("bokstavstillagg"),
            field("postnummer"),
            field("postort")
        );
        bodies.push(Bytes::from(serde_json::to_vec(
            &serde_json::json!({ "line": address }),
        )?));
    }
    Ok(bodies)
}

/// The address register: import rate for a generated register, then
/// validation through the gateway with it loaded, against the reads above.
async fn register(
    options: &Options,
    state: &Path,
    read: &Figures,
    gated: &Figures,
) -> anyhow::Result<()> {
    let file = state.join("register.ndjson");
    let started = Instant::now();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
    mdm_register_gen::generate(
        &mdm_register_gen::Config {
            places: options.places,
            seed: 2026,
        },
        mdm_register_gen::Format::Ndjson,
        &mut out,
    )?;
    std::io::Write::flush(&mut out)?;
    drop(out);
    println!();
    println!(
        "address register: {} places generated in {:.1} s",
        options.places,
        started.elapsed().as_secs_f64()
    );
    let first = import_register(state, &file)?;
    println!(
        "import-addresses, empty store:       {first:>6.1} s  {:>9.0} places/s",
        options.places as f64 / first
    );
    let again = import_register(state, &file)?;
    println!(
        "import-addresses, same file again:   {again:>6.1} s  {:>9.0} places/s (nothing written)",
        options.places as f64 / again
    );

    let host = start_host(state, None, Auth::Gateway)?;
    let token = viewer_token(&host, state)?;
    let bodies = Arc::new(validation_bodies(&file, 2_000)?);
    let calls = bodies.clone();
    let validate = load_calls(
        &host.url,
        Some(token),
        options.connections,
        options.seconds,
        Arc::new(move |i| {
            Call::PostJson(
                "/api/v1/addresses/validate".into(),
                calls[(i * 7) % calls.len()].clone(),
            )
        }),
    )
    .await?;
    report("POST /api/v1/addresses/validate (gateway)", &validate);
    println!(
        "validate / key-value read: {:.2} (read without gateway), {:.2} (read with gateway)",
        validate.rps / read.rps,
        validate.rps / gated.rps
    );
    Ok(())
}
