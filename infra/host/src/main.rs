//! `mdm-host`: the command line. `up` runs a Spin app, `build` runs its
//! build commands.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use mdm_gateway::{DevIdp, GatewayConfig, Role};
use mdm_host::{Limits, LoadOptions, address_import, app, build_cmd, seed, server};

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
    /// Print an access token from the development IdP for a demo user.
    Token(TokenArgs),
    /// Load an address-register file (NDJSON, or CSV when named *.csv) into
    /// the key-value store, as `POST /api/v1/address-register/import` would.
    ImportAddresses(ImportArgs),
}

#[derive(Args)]
struct ImportArgs {
    /// The file: address places in the import line format.
    file: PathBuf,
    /// The application manifest (to find its stores).
    #[arg(short = 'f', long = "from", default_value = "spin.toml")]
    manifest: PathBuf,
    /// Spin runtime configuration (key-value stores).
    #[arg(long = "runtime-config-file")]
    runtime_config: Option<PathBuf>,
    /// Directory for SQLite stores [default: .spin beside the manifest].
    #[arg(long = "state-dir")]
    state_dir: Option<PathBuf>,
    /// The key-value store label to load into.
    #[arg(long, default_value = "default")]
    store: String,
}

#[derive(Args)]
struct TokenArgs {
    /// The demo user's role: viewer, producer, private-producer, orderer,
    /// programme, integration or platform-admin.
    #[arg(long)]
    role: String,
    /// The organisation (HSA-id) the user acts for.
    #[arg(long)]
    org: Option<String>,
    /// The address the host listens on (the dev IdP's issuer names it).
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// The application manifest (to find `.spin` and the gateway config).
    #[arg(short = 'f', long = "from", default_value = "spin.toml")]
    manifest: PathBuf,
    /// Gateway configuration [default: infra/gateway.toml beside the manifest].
    #[arg(long = "gateway-config")]
    gateway_config: Option<PathBuf>,
    /// Directory of the dev IdP's key [default: .spin beside the manifest].
    #[arg(long = "state-dir")]
    state_dir: Option<PathBuf>,
    /// Lifetime of the token in minutes.
    #[arg(long, default_value_t = 60)]
    ttl_minutes: u64,
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
    /// Address-register files to import into the default store before
    /// serving (as `import-addresses`); `--demo` adds the demo register.
    #[arg(long = "address-register")]
    address_register: Vec<PathBuf>,
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
    /// Gateway configuration [default: infra/gateway.toml beside the manifest].
    #[arg(long = "gateway-config", conflicts_with = "no_auth")]
    gateway_config: Option<PathBuf>,
    /// Run without the gateway: no authentication at all (plain Spin).
    #[arg(long = "no-auth")]
    no_auth: bool,
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
        Command::Token(args) => token(&args),
        Command::Up(args) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("could not start the async runtime")
            .and_then(|rt| rt.block_on(up(args))),
        Command::ImportAddresses(args) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("could not start the async runtime")
            .and_then(|rt| rt.block_on(import_addresses(args))),
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

fn default_gateway_config(manifest: &Path) -> PathBuf {
    manifest_dir(manifest).join("infra/gateway.toml")
}

fn token(args: &TokenArgs) -> anyhow::Result<()> {
    let role: Role = args
        .role
        .parse()
        .map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let config_path = args
        .gateway_config
        .clone()
        .unwrap_or_else(|| default_gateway_config(&args.manifest));
    let config = GatewayConfig::load(&config_path)
        .with_context(|| format!("gateway configuration {}", config_path.display()))?;
    let state_dir = args
        .state_dir
        .clone()
        .unwrap_or_else(|| manifest_dir(&args.manifest).join(".spin"));
    let idp = DevIdp::open(&state_dir, args.listen, &config)?;
    let token = idp.mint(
        role,
        args.org.as_deref(),
        Duration::from_secs(args.ttl_minutes * 60),
    )?;
    println!("{token}");
    Ok(())
}

fn build(args: &BuildArgs) -> anyhow::Result<()> {
    let manifest = mdm_manifest::Manifest::load(&args.manifest)
        .with_context(|| format!("could not load {}", args.manifest.display()))?;
    let steps = app::build_steps(&manifest, &args.components)?;
    build_cmd::run(&manifest_dir(&args.manifest), &steps)
}

async fn import_addresses(args: ImportArgs) -> anyhow::Result<()> {
    let options = LoadOptions {
        runtime_config: args.runtime_config.clone(),
        state_dir: args.state_dir.clone(),
        ..LoadOptions::new(&args.manifest)
    };
    let stores = app::open_stores_only(&options).await?;
    let Some(store) = stores.get(&args.store) else {
        anyhow::bail!(
            "--store {}: no component of {} uses that store",
            args.store,
            args.manifest.display()
        );
    };
    eprintln!(
        "Importing {} into store {:?}",
        args.file.display(),
        args.store
    );
    let summary = address_import::import_and_report(&args.file, store.clone(), false).await?;
    let seconds = summary.elapsed.as_secs_f64();
    println!(
        "{} places in {seconds:.1} s ({:.0} places/s): {} created, {} updated, {} unchanged, {} removed, {} refused",
        summary.received,
        summary.received as f64 / seconds.max(1e-9),
        summary.tally.created,
        summary.tally.updated,
        summary.tally.unchanged,
        summary.tally.removed,
        summary.rejected()
    );
    if summary.rejected() > 0 {
        anyhow::bail!("{} lines were refused (listed above)", summary.rejected());
    }
    Ok(())
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
        gateway: if args.no_auth {
            eprintln!(
                "Warning: --no-auth: no gateway; every route is open to anyone who can reach this host"
            );
            None
        } else {
            Some(
                args.gateway_config
                    .clone()
                    .unwrap_or_else(|| default_gateway_config(&args.manifest)),
            )
        },
    };
    let loaded = app::load(&options).await?;
    for warning in &loaded.warnings {
        eprintln!("Warning: {warning}");
    }

    let mut registers = args.address_register.clone();
    if args.demo {
        registers.push(manifest_dir(&args.manifest).join("infra/demo/address-register.ndjson"));
    }
    for file in &registers {
        let store = loaded
            .stores
            .get("default")
            .context("the default store is not open")?
            .clone();
        let summary = address_import::import_and_report(file, store, true).await?;
        eprintln!(
            "Address register {}: {} places, {} created, {} updated, {} unchanged, {} removed, {} refused",
            file.display(),
            summary.received,
            summary.tally.created,
            summary.tally.updated,
            summary.tally.unchanged,
            summary.tally.removed,
            summary.rejected()
        );
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
    app::attach_gateway(&loaded, &options, addr)?;
    // As `spin up` prints it: a blank line, the address, the routes in
    // manifest order (private ones are not listed).
    println!();
    println!("Serving http://{addr}");
    println!("Available Routes:");
    for route in loaded.runtime.router.routes() {
        println!("  {}: http://{addr}{route}", route.component_id);
    }
    if let Some(idp) = loaded.runtime.gateway().and_then(|g| g.dev_idp()) {
        let hour = Duration::from_secs(3600);
        println!();
        println!("Development IdP: {} (loopback only)", idp.issuer());
        println!(
            "  viewer token (1 h):   {}",
            idp.mint(Role::Viewer, None, hour)?
        );
        println!(
            "  producer token (1 h): {}",
            idp.mint(Role::Producer, None, hour)?
        );
        println!("  more: mdm-host token --role <role> [--org <hsa-id>] --listen {addr}");
    }
    if args.demo {
        print_demo_calls(addr, loaded.runtime.gateway().is_some());
    }

    server::serve(loaded.runtime, listener, shutdown_signal()).await
}

fn print_demo_calls(addr: SocketAddr, with_auth: bool) {
    let auth = |role: &str| {
        if with_auth {
            format!(
                " -H \"authorization: Bearer $(target/release/mdm-host token --role {role} --listen {addr})\""
            )
        } else {
            String::new()
        }
    };
    let (viewer, producer, programme) = (auth("viewer"), auth("producer"), auth("programme"));
    println!();
    println!("Try it:");
    println!("  curl -i{viewer} http://{addr}/api/v1/units/SE2321000016-15CQ");
    println!(
        "  curl -i{viewer} http://{addr}/api/v1/address-register/places/8c1b6a2e-0f4d-4a8e-9a55-3f0e2d9c1b70"
    );
    println!("  curl -i{programme} http://{addr}/api/v1/orders/ord-2026-0001");
    println!(
        "  curl -i -X POST{producer} http://{addr}/api/v1/producer/units -H 'content-type: application/json' -d @infra/demo/new-unit.json"
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
