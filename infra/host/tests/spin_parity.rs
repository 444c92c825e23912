//! Spin parity: the corpus of small Spin apps in `tests/spin-apps`, each
//! run by the real `mdm-host up --no-auth` binary as `spin up` would run it,
//! answers each case of its `cases.toml` exactly: status, the full set of
//! response headers (beyond what hyper adds for framing and connection
//! management: `date`, `content-length` or `transfer-encoding`, and the
//! `connection: close` that answers the runner's own) and the body. Then what happens
//! at start-up and shutdown: the `Serving` line and route listing, fail-fast
//! configuration errors, and graceful stop on SIGTERM and ctrl-c.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod support;

use serde::Deserialize;
use support::spin_app::{RawRequest, SpinApp, build_app, exchange, root};

fn app_dir(app: &str) -> PathBuf {
    root().join("tests/spin-apps").join(app)
}

/// A corpus app's `cases.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Corpus {
    /// The route listing `spin up` prints, without its two-space indent.
    routes: Vec<String>,
    /// Environment for the run (`SPIN_VARIABLE_*`).
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(rename = "case")]
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    method: String,
    target: String,
    #[serde(default)]
    request_headers: Vec<(String, String)>,
    #[serde(default)]
    request_body: String,
    status: u16,
    /// Every response header but the framing ones, in any order.
    headers: Vec<(String, String)>,
    body: String,
}

/// Placeholders in expected values: `{authority}` is the host's
/// `127.0.0.1:<port>`, `{client-addr}` the test client's own address.
fn fill(template: &str, authority: &str, client_addr: &str) -> String {
    template
        .replace("{authority}", authority)
        .replace("{client-addr}", client_addr)
}

async fn run_corpus(app: &str) {
    let dir = app_dir(app);
    let manifest = dir.join("spin.toml");
    let corpus: Corpus = toml::from_str(
        &std::fs::read_to_string(dir.join("cases.toml")).expect("cases.toml is readable"),
    )
    .unwrap_or_else(|e| panic!("{app}/cases.toml: {e}"));
    build_app(&manifest);
    let env: Vec<(&str, &str)> = corpus
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let host = SpinApp::start(&manifest, &["--no-auth"], &env);

    let expected_routes: Vec<String> = corpus
        .routes
        .iter()
        .map(|r| format!("  {}", fill(r, &host.authority, "")))
        .collect();
    assert_eq!(host.routes, expected_routes, "{app}: the route listing");

    let mut failures = Vec::new();
    for case in &corpus.cases {
        let request = RawRequest {
            method: case.method.clone(),
            target: case.target.replace("{authority}", &host.authority),
            headers: case
                .request_headers
                .iter()
                .map(|(n, v)| (n.clone(), v.replace("{authority}", &host.authority)))
                .collect(),
            body: case.request_body.clone().into_bytes(),
        };
        let response = host.exchange(&request).await;
        let fill = |s: &str| fill(s, &host.authority, &response.client_addr);

        let mut actual: Vec<(String, String)> = response
            .headers
            .iter()
            // Framing and connection management, which hyper owns (the
            // runner's requests say `connection: close`, so the answer does).
            .filter(|(n, _)| {
                !matches!(
                    n.as_str(),
                    "date" | "content-length" | "transfer-encoding" | "connection"
                )
            })
            .cloned()
            .collect();
        actual.sort();
        let mut expected: Vec<(String, String)> = case
            .headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), fill(v)))
            .collect();
        expected.sort();
        let framing =
            response.values("content-length").len() + response.values("transfer-encoding").len();

        let problems: Vec<String> = [
            (response.status != case.status)
                .then(|| format!("status {} (expected {})", response.status, case.status)),
            (actual != expected).then(|| format!("headers {actual:?}\n  expected {expected:?}")),
            (response.text() != fill(&case.body)).then(|| {
                format!(
                    "body {:?}\n  expected {:?}",
                    response.text(),
                    fill(&case.body)
                )
            }),
            (response.values("date").len() != 1).then(|| "no single date header".to_string()),
            (framing != 1).then(|| format!("{framing} framing headers")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !problems.is_empty() {
            failures.push(format!(
                "{app} / {}:\n  {}",
                case.name,
                problems.join("\n  ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}\n--- host stderr ---\n{}",
        failures.len(),
        corpus.cases.len(),
        failures.join("\n"),
        host.stderr()
    );
}

#[tokio::test]
async fn spin_sdk_component_for_wasm32_wasip2_answers_as_under_spin() {
    run_corpus("sdk-current").await;
}

#[tokio::test]
async fn spin_sdk_3_core_module_for_wasm32_wasip1_is_adapted_and_links_spin_2_interfaces() {
    run_corpus("sdk3-wasip1").await;
}

#[tokio::test]
async fn wit_bindgen_core_module_for_wasm32_unknown_unknown_is_componentized() {
    run_corpus("bindgen-unknown").await;
}

/// The interface names a component imports.
fn component_imports(component: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        if let wasmparser::Payload::ComponentImportSection(imports) = payload.expect("valid wasm") {
            for import in imports {
                names.push(import.expect("an import").name.name.to_string());
            }
        }
    }
    names
}

/// The corpus' core modules really are core modules, and once made
/// components they import the older interface versions the cases exercise:
/// Spin 2.0's key-value and variables, and wasi:http 0.2.0.
#[tokio::test]
async fn core_modules_are_componentized_and_import_the_older_interface_versions() {
    use mdm_host::componentize::{WasmKind, componentize, kind};
    let target = root().join("target");
    build_app(&app_dir("sdk3-wasip1").join("spin.toml"));
    build_app(&app_dir("bindgen-unknown").join("spin.toml"));

    let sdk3 = std::fs::read(target.join("wasm32-wasip1/release/parity_sdk3_wasip1.wasm")).unwrap();
    assert_eq!(kind(&sdk3).unwrap(), WasmKind::CoreModule);
    let imports = component_imports(&componentize(&sdk3).unwrap());
    for wanted in [
        "fermyon:spin/key-value@2.0.0",
        "fermyon:spin/variables@2.0.0",
        "wasi:http/types@0.2.0",
        "wasi:http/outgoing-handler@0.2.0",
    ] {
        assert!(
            imports.iter().any(|i| i == wanted),
            "{wanted} not in {imports:?}"
        );
    }

    let bindgen =
        std::fs::read(target.join("wasm32-unknown-unknown/release/parity_bindgen_unknown.wasm"))
            .unwrap();
    assert_eq!(kind(&bindgen).unwrap(), WasmKind::CoreModule);
    let imports = component_imports(&componentize(&bindgen).unwrap());
    assert!(
        imports.iter().any(|i| i == "wasi:http/types@0.2.0"),
        "{imports:?}"
    );
    // No WASI preview1 underneath, so no adapter and nothing of wasi:cli:
    // every interface imported is wasi:http's or the wasi:io it uses.
    assert!(
        imports
            .iter()
            .filter(|i| i.contains(':'))
            .all(|i| i.starts_with("wasi:http/") || i.starts_with("wasi:io/")),
        "{imports:?}"
    );
}

fn sdk_current() -> PathBuf {
    let manifest = app_dir("sdk-current").join("spin.toml");
    build_app(&manifest);
    manifest
}

const REGION: (&str, &str) = ("SPIN_VARIABLE_REGION", "Stockholm");

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_and_stops_within_seconds() {
    let mut host = SpinApp::start(&sdk_current(), &["--no-auth"], &[REGION]);
    let authority = host.authority.clone();
    let slow = tokio::spawn(async move {
        let request = RawRequest {
            method: "GET".into(),
            target: "/slow".into(),
            ..RawRequest::default()
        };
        exchange(&authority, &request).await
    });
    // The guest takes 3 s; a second is ample for it to have started, even
    // on a loaded machine, and leaves it 2 s to finish after the signal.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let signalled = Instant::now();
    host.signal("TERM");
    let response = slow.await.expect("the slow request task");
    assert_eq!(
        (response.status, response.text()),
        (200, "slow answer".into())
    );
    let status = host
        .wait_for_exit(Duration::from_secs(5))
        .expect("the host stops within 5 s of SIGTERM");
    assert!(status.success(), "exit status {status}");
    assert!(signalled.elapsed() < Duration::from_secs(5));
    assert!(
        tokio::net::TcpStream::connect(&host.authority)
            .await
            .is_err(),
        "the listener is closed"
    );
}

#[tokio::test]
async fn ctrl_c_stops_an_idle_host_at_once() {
    let mut host = SpinApp::start(&sdk_current(), &["--no-auth"], &[REGION]);
    let signalled = Instant::now();
    host.signal("INT");
    let status = host
        .wait_for_exit(Duration::from_secs(5))
        .expect("the host stops within 5 s of SIGINT");
    assert!(status.success(), "exit status {status}");
    assert!(
        signalled.elapsed() < Duration::from_secs(2),
        "{:?}",
        signalled.elapsed()
    );
}

/// Start-up must fail, before serving, with a message naming the cause.
fn assert_fails_to_start(manifest: &Path, args: &[&str], env: &[(&str, &str)], says: &[&str]) {
    let failed = match SpinApp::try_start(manifest, args, env) {
        Ok(app) => panic!("started on {} but should not have", app.authority),
        Err(failed) => failed,
    };
    assert!(!failed.status.success(), "{failed:?}");
    for words in says {
        assert!(
            failed.stderr.contains(words),
            "stderr does not say {words:?}:\n{}",
            failed.stderr
        );
    }
}

#[tokio::test]
async fn a_missing_required_variable_stops_start_up_naming_it() {
    assert_fails_to_start(&sdk_current(), &["--no-auth"], &[], &["region"]);
}

#[tokio::test]
async fn without_no_auth_a_missing_gateway_configuration_stops_start_up() {
    // Never a silent switch-off of authentication.
    assert_fails_to_start(
        &sdk_current(),
        &[],
        &[REGION],
        &["gateway configuration", "--no-auth"],
    );
    assert_fails_to_start(
        &sdk_current(),
        &["--gateway-config", "/nonexistent/gateway.toml"],
        &[REGION],
        &["/nonexistent/gateway.toml"],
    );
}

/// A manifest in a temporary directory with one component of `source`.
fn one_component_app(dir: &Path, source: &Path, extra: &str) -> PathBuf {
    let manifest = dir.join("spin.toml");
    std::fs::write(
        &manifest,
        format!(
            "spin_manifest_version = 2\n[application]\nname = \"t\"\n\
             [[trigger.http]]\nroute = \"/...\"\ncomponent = \"c\"\n\
             [component.c]\nsource = {:?}\n{extra}\n",
            source.display().to_string()
        ),
    )
    .expect("manifest written");
    manifest
}

#[tokio::test]
async fn a_store_label_no_runtime_config_defines_stops_start_up_as_in_spin() {
    let wasm = root().join("target/wasm32-wasip2/release/parity_sdk_current.wasm");
    sdk_current();
    let dir = tempfile::tempdir().unwrap();
    let manifest = one_component_app(dir.path(), &wasm, "key_value_stores = [\"archive\"]");
    assert_fails_to_start(
        &manifest,
        &["--no-auth"],
        &[],
        &["unknown key_value_stores label \"archive\" for component \"c\""],
    );
}

#[tokio::test]
async fn a_core_module_without_a_wit_world_is_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    // (module (func (export "_start"))): a preview1-style command module
    // without component-type metadata.
    let wasm = dir.path().join("plain.wasm");
    std::fs::write(
        &wasm,
        b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x03\x02\x01\0\x07\x0a\x01\x06_start\0\0\x0a\x04\x01\x02\0\x0b",
    )
    .unwrap();
    let manifest = one_component_app(dir.path(), &wasm, "");
    assert_fails_to_start(
        &manifest,
        &["--no-auth"],
        &[],
        &["component c", "no component-type metadata", "wit-bindgen"],
    );
}
