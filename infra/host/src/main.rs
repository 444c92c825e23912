//! `mdm-host`: the command line. `up` runs a Spin app, `build` runs its
//! build commands.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use mdm_host::{Limits, LoadOptions, app, build_cmd, seed, server};

#[derive(Parser)]
#[command(
    name = "mdm-host",
    version,
    about = "Runs Spin HTTP apps locally, the way `spin up` does"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the application and serve it over HTTP.
    Up(UpArgs),
    /// Run the `[component.<id>.build]` commands of the manifest.
    Build(BuildArgs),
}

#[derive(Args)]
struct BuildArgs {
    /// The application manifest.
    #[arg(short = 'f', long = "from", default_value = "spin.toml")]
    manifest: PathBuf,
    /// Build only these components.
    #[arg(short = 'c', long = "component-id")]
    components: Vec<String>,
}

#[derive(Args)]
struct UpArgs {
    /// The application manifest.
    #[arg(short = 'f', long = "from", default_value = "spin.toml")]
    manifest: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// Spin runtime configuration (key-value stores).
    #[arg(long = "runtime-config-file")]
    runtime_config: Option<PathBuf>,
    /// Directory for SQLite stores and the compile cache [default: .spin beside the manifest].
    #[arg(long = "state-dir")]
    state_dir: Option<PathBuf>,
    /// Run only these components (selective deployment).
    #[arg(short = 'c', long = "component-id")]
    components: Vec<String>,
    /// Run every component's build command first (otherwise only missing ones are built).
    #[arg(long)]
    build: bool,
    /// Load the demo data set (infra/demo/seed.json) and print example calls.
    #[arg(long)]
    demo: bool,
    /// Documents to write where their keys are absent (JSON seed file).
    #[arg(long)]
    seed: Vec<PathBuf>,
    /// Wall-clock budget per request, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    deadline_ms: u64,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = 16 << 20)]
    max_body_bytes: usize,
    /// Largest linear memory per instance, in MiB.
    #[arg(long, default_value_t = 128)]
    memory_limit_mib: usize,
    /// Requests executing at once; more wait.
    #[arg(long, default_value_t = 128)]
    max_concurrency: u32,
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,wasmtime=warn,cranelift=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => build(&args),
        Command::Up(args) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("could not start the async runtime")
            .and_then(|rt| rt.block_on(up(args))),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn manifest_dir(manifest: &Path) -> PathBuf {
    manifest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn build(args: &BuildArgs) -> anyhow::Result<()> {
    let manifest = mdm_manifest::Manifest::load(&args.manifest)
        .with_context(|| format!("could not load {}", args.manifest.display()))?;
    let steps = app::build_steps(&manifest, &args.components)?;
    build_cmd::run(&manifest_dir(&args.manifest), &steps)
}

async fn up(args: UpArgs) -> anyhow::Result<()> {
    if args.build {
        build(&BuildArgs {
            manifest: args.manifest.clone(),
            components: args.components.clone(),
        })?;
    }
    let options = LoadOptions {
        manifest: args.manifest.clone(),
        runtime_config: args.runtime_config.clone(),
        state_dir: args.state_dir.clone(),
        components: args.components.clone(),
        build_missing: true,
        limits: Limits {
            memory_bytes: args.memory_limit_mib << 20,
            deadline: Duration::from_millis(args.deadline_ms),
            max_concurrency: args.max_concurrency,
            max_body_bytes: args.max_body_bytes,
        },
        variable_overrides: None,
    };
    let loaded = app::load(&options).await?;
    for warning in &loaded.warnings {
        eprintln!("Warning: {warning}");
    }

    let mut seeds = args.seed.clone();
    if args.demo {
        seeds.push(manifest_dir(&args.manifest).join("infra/demo/seed.json"));
    }
    for file in &seeds {
        let (written, present) = seed::apply(file, &loaded.stores).await?;
        eprintln!(
            "Seeded {}: {written} documents written, {present} already present",
            file.display()
        );
    }

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("could not listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    println!("Serving http://{addr}");
    println!("Available Routes:");
    for route in loaded.runtime.router.routes() {
        println!("  {}: http://{addr}{route}", route.component_id);
    }
    if args.demo {
        print_demo_calls(addr);
    }

    server::serve(loaded.runtime, listener, shutdown_signal()).await
}

fn print_demo_calls(addr: SocketAddr) {
    println!();
    println!("Try it:");
    println!("  curl -i http://{addr}/api/v1/units/SE2321000016-15CQ");
    println!(
        "  curl -i http://{addr}/api/v1/address-register/places/8c1b6a2e-0f4d-4a8e-9a55-3f0e2d9c1b70"
    );
    println!("  curl -i http://{addr}/api/v1/orders/ord-2026-0001");
    println!(
        "  curl -i -X POST http://{addr}/api/v1/producer/units -H 'content-type: application/json' \\\n      -d @infra/demo/new-unit.json"
    );
}

/// Resolves on ctrl-c or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("Shutting down");
}
