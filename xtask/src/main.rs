//! `cargo xtask <command>`: orchestration that is more than one cargo call.
//!
//! - `up`: makes sure the wasm target is installed, builds the components
//!   and the host, and runs the platform with the demo data.
//! - `test`: makes sure the services the tests start are installed
//!   (`redis-server` from Debian's packages, npm's `oidc-provider` from
//!   `tests/oidc/package-lock.json`), checks formatting and lints, then runs
//!   every test of the workspace.
//! - `bench`: builds everything in release mode and runs the HTTP benchmark.

use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("up") => up(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("bench") => bench(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask up [mdm-host up options] | cargo xtask test [cargo test args] | cargo xtask bench [options]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The crates built for wasm32-wasip2: the four functions and the test apps.
const WASM_CRATES: &[&str] = &[
    "unit-lookup",
    "address-validation",
    "producer-updates",
    "order-intake",
    "host-probe",
    "parity-sdk-current",
];

/// The corpus' core-module crates, each with the target it is built for.
const CORE_MODULE_CRATES: &[(&str, &str)] = &[
    ("parity-sdk3-wasip1", "wasm32-wasip1"),
    ("parity-bindgen-unknown", "wasm32-unknown-unknown"),
];

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn run(mut command: Command) -> anyhow::Result<()> {
    let shown = format!("{command:?}");
    eprintln!("xtask: running {shown}");
    let status = command
        .status()
        .with_context(|| format!("could not start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed with {status}");
    }
    Ok(())
}

fn on_path(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program} >/dev/null 2>&1"))
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs a Debian package when its program is missing and we may (root,
/// or passwordless sudo); otherwise says exactly what to install.
fn ensure_program(program: &str, package: &str) -> anyhow::Result<()> {
    if on_path(program) {
        return Ok(());
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let prefix = if is_root { "" } else { "sudo -n " };
    eprintln!("xtask: {program} is missing; installing Debian's {package}");
    let script = format!(
        "{prefix}apt-get update -qq && DEBIAN_FRONTEND=noninteractive {prefix}apt-get install -y -qq {package}"
    );
    let installed = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .status()
        .is_ok_and(|s| s.success());
    if !installed || !on_path(program) {
        bail!(
            "the tests need {program}; install it with `apt-get install {package}` and run again"
        );
    }
    Ok(())
}

/// The platform's components are built for wasm32-wasip2; the Spin-parity
/// corpus (`tests/spin-apps`) also has core modules for wasm32-wasip1 and
/// wasm32-unknown-unknown, as older Spin templates and bare wit-bindgen
/// build them.
const WASM_TARGETS: &[&str] = &["wasm32-wasip2", "wasm32-wasip1", "wasm32-unknown-unknown"];

/// rustup does not add a target named in rust-toolchain.toml to an already
/// installed toolchain, so we do.
fn ensure_wasm_targets(targets: &[&str]) -> anyhow::Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("rustup is needed to add the wasm targets")?;
    let installed = String::from_utf8_lossy(&installed.stdout);
    let missing: Vec<&str> = targets
        .iter()
        .copied()
        .filter(|t| !installed.lines().any(|l| l.trim() == *t))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut add = Command::new("rustup");
    add.args(["target", "add"]).args(&missing);
    run(add)
}

/// Builds the native crates as one set (the workspace's default members,
/// with their test targets, so dependency features unify exactly as under
/// `cargo test`): `up`, `test` and `bench` then share one build of wasmtime
/// instead of compiling it again for each feature set.
fn build_native() -> anyhow::Result<()> {
    let mut build = cargo();
    build.args(["build", "--release", "--all-targets"]);
    run(build)
}

fn host_binary() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ has a parent")
        .to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    target.join("release").join("mdm-host")
}

fn up(extra: &[String]) -> anyhow::Result<()> {
    ensure_wasm_targets(&WASM_TARGETS[..1])?;
    build_native()?;
    // A generated register of care units beside the hand-written demo units;
    // their addresses are places of the demo address register.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ has a parent")
        .to_path_buf();
    std::fs::create_dir_all(root.join(".spin"))?;
    let units = root.join(".spin/demo-units.json");
    let mut generate = Command::new(host_binary().with_file_name("mdm-unit-gen"));
    generate.args(["--units", "300", "-o"]).arg(&units);
    run(generate)?;
    let mut host = Command::new(host_binary());
    host.args(["up", "--build", "--demo", "--seed"]).arg(&units);
    host.args(extra);
    run(host)
}

/// The real OpenID provider the gateway tests run (npm's `oidc-provider`),
/// installed exactly as its lockfile says.
fn ensure_oidc_provider() -> anyhow::Result<()> {
    if !on_path("node") || !on_path("npm") {
        ensure_program("node", "nodejs")?;
        ensure_program("npm", "npm")?;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ has a parent")
        .join("tests/oidc");
    let mut npm = Command::new("npm");
    npm.args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .env("npm_config_update_notifier", "false")
        .current_dir(dir);
    run(npm)
}

fn test(extra: &[String]) -> anyhow::Result<()> {
    ensure_wasm_targets(WASM_TARGETS)?;
    ensure_program("redis-server", "redis-server")?;
    ensure_oidc_provider()?;

    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    run(fmt)?;

    // Native crates (the workspace's default members), then the components
    // for the target they are built for.
    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--release",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    run(clippy)?;
    let mut clippy_wasm = cargo();
    clippy_wasm.args(["clippy", "--release", "--target", "wasm32-wasip2"]);
    for component in WASM_CRATES {
        clippy_wasm.args(["-p", component]);
    }
    clippy_wasm.args(["--", "-D", "warnings"]);
    run(clippy_wasm)?;
    for (krate, target) in CORE_MODULE_CRATES {
        let mut clippy_core = cargo();
        clippy_core.args(["clippy", "--release", "--target", target, "-p", krate]);
        clippy_core.args(["--", "-D", "warnings"]);
        run(clippy_core)?;
    }

    // The default members: every native crate, including the end-to-end
    // tests, which build the components they run.
    let mut test = cargo();
    test.args(["test", "--release", "--no-fail-fast"]);
    test.args(extra);
    run(test)
}

fn bench(extra: &[String]) -> anyhow::Result<()> {
    ensure_wasm_targets(&WASM_TARGETS[..1])?;
    build_native()?;
    let mut components = Command::new(host_binary());
    components.args(["build"]);
    run(components)?;
    let mut bench = Command::new(host_binary().with_file_name("mdm-bench"));
    bench.args(extra);
    run(bench)
}
