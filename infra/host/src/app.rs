//! Loading an application: manifest, variables, stores, components, routes.
//! Fail fast: everything is checked here, before the socket is bound.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use mdm_kv::Store;
use wasmtime::component::Component;
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use crate::build_cmd::{self, BuildStep};
use crate::engine::{self, Limits};
use crate::kv::{KvGrants, StoreCatalog};
use crate::runtime_config::{ResolvedStore, RuntimeConfig};
use crate::server::{ComponentRuntime, Runtime};

/// What `up` was asked to run.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Path of `spin.toml`.
    pub manifest: PathBuf,
    /// Spin runtime config (`--runtime-config-file`).
    pub runtime_config: Option<PathBuf>,
    /// Where SQLite stores and the compile cache live; `.spin` beside the
    /// manifest by default, as under `spin up`.
    pub state_dir: Option<PathBuf>,
    /// Run only these components (`--component-id`); all when empty.
    pub components: Vec<String>,
    /// Build components whose wasm file is missing before loading.
    pub build_missing: bool,
    pub limits: Limits,
    /// The gateway configuration; `None` runs without authentication
    /// (plain-Spin mode, `--no-auth`).
    pub gateway: Option<PathBuf>,
    /// Variable overrides by application variable name; `None` reads
    /// `SPIN_VARIABLE_<NAME>` from the process environment, as Spin does.
    pub variable_overrides: Option<HashMap<String, String>>,
}

impl LoadOptions {
    pub fn new(manifest: impl Into<PathBuf>) -> Self {
        Self {
            manifest: manifest.into(),
            runtime_config: None,
            state_dir: None,
            components: Vec::new(),
            build_missing: false,
            limits: Limits::default(),
            variable_overrides: None,
            gateway: None,
        }
    }

    fn manifest_dir(&self) -> PathBuf {
        self.manifest
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."))
    }

    pub fn state_dir(&self) -> PathBuf {
        self.state_dir
            .clone()
            .unwrap_or_else(|| self.manifest_dir().join(".spin"))
    }
}

/// A loaded application, ready to serve.
pub struct Loaded {
    pub runtime: Arc<Runtime>,
    pub stores: Arc<StoreCatalog>,
    /// The parsed gateway configuration, put in front once the listener is
    /// bound ([`attach_gateway`]); `None` in plain-Spin mode.
    pub gateway_config: Option<mdm_gateway::GatewayConfig>,
    /// Warnings to show the user (e.g. a deprecated outbound-host form).
    pub warnings: Vec<String>,
}

/// Reads the manifest and the runtime config, opens the stores, compiles
/// and links every component, and builds the router.
pub async fn load(options: &LoadOptions) -> anyhow::Result<Loaded> {
    let manifest = mdm_manifest::Manifest::load(&options.manifest)
        .with_context(|| format!("could not load {}", options.manifest.display()))?;
    let manifest_dir = options.manifest_dir();
    let state_dir = options.state_dir();
    let mut warnings = Vec::new();
    // Fail fast: a broken gateway configuration must never start a host
    // without authentication. Parsed once here, used once bound.
    let gateway_config = options
        .gateway
        .as_deref()
        .map(|path| {
            mdm_gateway::GatewayConfig::load(path).with_context(|| {
                format!(
                    "gateway configuration {} (give one with --gateway-config FILE, \
                         or run plain Spin without a gateway with --no-auth)",
                    path.display()
                )
            })
        })
        .transpose()?;

    let selected: Vec<&str> = if options.components.is_empty() {
        manifest.components.keys().map(|id| id.as_str()).collect()
    } else {
        for id in &options.components {
            if manifest.component(id).is_none() {
                bail!("--component-id {id}: the manifest has no component {id}");
            }
        }
        options.components.iter().map(String::as_str).collect()
    };

    if options.build_missing {
        let steps: Vec<BuildStep> = selected
            .iter()
            .filter(|id| !source_path(&manifest, &manifest_dir, id).is_ok_and(|p| p.exists()))
            .filter_map(|id| build_step(&manifest, id))
            .collect();
        build_cmd::run(&manifest_dir, &steps)?;
    }

    let variables = match &options.variable_overrides {
        None => mdm_manifest::Variables::from_env(&manifest)?,
        Some(map) => mdm_manifest::Variables::resolve(&manifest, |name| map.get(name).cloned())?,
    };
    warnings.extend(manifest.warnings().iter().cloned());

    let runtime_config = RuntimeConfig::load(options.runtime_config.as_deref(), &state_dir)?;
    let stores = Arc::new(open_stores(&manifest, &selected, &runtime_config).await?);

    std::fs::create_dir_all(&state_dir)
        .with_context(|| format!("could not create {}", state_dir.display()))?;
    // The compile cache wants an absolute directory.
    let state_dir = std::fs::canonicalize(&state_dir)
        .with_context(|| format!("could not resolve {}", state_dir.display()))?;
    let engine = engine::engine(&options.limits, &state_dir.join("cache"))?;
    let linker = engine::linker(&engine)?;

    let mut components = HashMap::new();
    for id in &selected {
        let spec = manifest.component(id).expect("selected ids exist");
        if !spec.files.is_empty() {
            // Silently running without the files would break the component
            // in ways that are hard to trace; refuse instead.
            bail!(
                "component {id}: `files` (files mounted into the guest) is not supported by mdm-host"
            );
        }
        let source = source_path(&manifest, &manifest_dir, id)?;
        if !source.exists() {
            bail!(
                "component {id}: source {} does not exist; run `mdm-host build` (or `up --build`)",
                source.display()
            );
        }
        let bytes = std::fs::read(&source)
            .with_context(|| format!("component {id}: could not read {}", source.display()))?;
        let bytes = crate::componentize::componentize(&bytes)
            .with_context(|| format!("component {id}: {}", source.display()))?;
        let component = Component::new(&engine, &bytes)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("component {id}: could not compile {}", source.display()))?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("component {id}: cannot be linked against this host"))?;
        let pre = ProxyPre::new(pre)
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!("component {id}: does not export wasi:http/incoming-handler")
            })?;
        let vars: HashMap<String, String> = variables.component(id);
        let (outbound, outbound_warnings) =
            mdm_manifest::AllowedHosts::for_component(&manifest, &variables, id)
                .with_context(|| format!("component {id}: allowed_outbound_hosts"))?;
        warnings.extend(outbound_warnings);
        let grants = KvGrants::new(
            stores.clone(),
            spec.key_value_stores
                .iter()
                .map(|l| l.to_string())
                .collect(),
        );
        let environment: Vec<(String, String)> = spec
            .environment
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        components.insert(
            id.to_string(),
            Arc::new(ComponentRuntime {
                id: id.to_string(),
                pre,
                kv: grants,
                variables: Arc::new(vars),
                outbound,
                environment: environment.into(),
            }),
        );
    }

    let router = mdm_router::Router::from_manifest(&manifest, &selected)?;
    engine::start_epoch_ticker(&engine);
    let runtime = Arc::new(Runtime::new(
        engine,
        components,
        router,
        options.limits.clone(),
    ));
    Ok(Loaded {
        runtime,
        stores,
        gateway_config,
        warnings,
    })
}

/// Puts the gateway in front of a loaded app once its listener is bound
/// (the development IdP's issuer names the bound address).
pub fn attach_gateway(
    loaded: &Loaded,
    options: &LoadOptions,
    listen: std::net::SocketAddr,
) -> anyhow::Result<()> {
    let Some(config) = &loaded.gateway_config else {
        return Ok(());
    };
    let metering = loaded
        .stores
        .get("default")
        .cloned()
        .context("the default key-value store is needed for metering")?;
    let gateway = crate::gateway::Gateway::new(config, &options.state_dir(), listen, metering)?;
    loaded.runtime.set_gateway(gateway)
}

/// Where component `id`'s wasm file is, relative paths taken from the manifest's directory.
fn source_path(
    manifest: &mdm_manifest::Manifest,
    manifest_dir: &Path,
    id: &str,
) -> anyhow::Result<PathBuf> {
    match manifest.component(id).map(|c| &c.source) {
        Some(mdm_manifest::ComponentSource::Local(path)) => Ok(manifest_dir.join(path)),
        Some(_) => bail!("component {id}: only local `source` files are supported by mdm-host"),
        None => bail!("the manifest has no component {id}"),
    }
}

fn build_step(manifest: &mdm_manifest::Manifest, id: &str) -> Option<BuildStep> {
    let build = manifest.component(id)?.build.as_ref()?;
    Some(BuildStep {
        component_id: id.to_string(),
        commands: build.command.iter().map(str::to_string).collect(),
        workdir: build.workdir.clone(),
    })
}

/// The build steps of the selected components (all when `only` is empty).
pub fn build_steps(
    manifest: &mdm_manifest::Manifest,
    only: &[String],
) -> anyhow::Result<Vec<BuildStep>> {
    let mut steps = Vec::new();
    for id in manifest.components.keys().map(|id| id.as_str()) {
        if only.is_empty() || only.iter().any(|o| o == id) {
            steps.extend(build_step(manifest, id));
        }
    }
    Ok(steps)
}

/// Opens every store a selected component was granted; a label that is
/// neither `default` nor in the runtime config is a start-up error, as in Spin.
/// Opens the key-value stores of every component of the manifest, without
/// loading the components: for tools that write into the stores (the
/// address-register import).
pub async fn open_stores_only(options: &LoadOptions) -> anyhow::Result<StoreCatalog> {
    let manifest = mdm_manifest::Manifest::load(&options.manifest)
        .with_context(|| format!("could not load {}", options.manifest.display()))?;
    let state_dir = options.state_dir();
    std::fs::create_dir_all(&state_dir)
        .with_context(|| format!("could not create {}", state_dir.display()))?;
    let runtime_config = RuntimeConfig::load(options.runtime_config.as_deref(), &state_dir)?;
    let all: Vec<&str> = manifest.components.keys().map(|id| id.as_str()).collect();
    open_stores(&manifest, &all, &runtime_config).await
}

async fn open_stores(
    manifest: &mdm_manifest::Manifest,
    selected: &[&str],
    config: &RuntimeConfig,
) -> anyhow::Result<StoreCatalog> {
    // `default` always exists, as under Spin; the gateway meters into it.
    // Each other label is kept with the first component that uses it, for
    // the error message.
    let mut labels: BTreeMap<&str, Option<&str>> = BTreeMap::from([("default", None)]);
    for id in selected {
        let Some(component) = manifest.component(id) else {
            continue;
        };
        for label in &component.key_value_stores {
            labels.entry(label.as_str()).or_insert(Some(id));
        }
    }
    let mut sqlite: HashMap<PathBuf, Arc<mdm_kv::SqliteBackend>> = HashMap::new();
    let mut stores: HashMap<String, Arc<dyn Store>> = HashMap::new();
    for (label, user) in labels {
        let Some(resolved) = config.stores.get(label) else {
            // Spin's own wording, then how to fix it.
            bail!(
                "unknown key_value_stores label {label:?} for component {:?}; \
                 define it in a runtime config file ([key_value_store.{label}])",
                user.unwrap_or("-")
            );
        };
        let store: Arc<dyn Store> = match resolved {
            ResolvedStore::Sqlite(path) => {
                let backend = match sqlite.get(path) {
                    Some(b) => b.clone(),
                    None => {
                        let b = Arc::new(mdm_kv::SqliteBackend::open(path).with_context(|| {
                            format!("could not open SQLite store {}", path.display())
                        })?);
                        sqlite.insert(path.clone(), b.clone());
                        b
                    }
                };
                Arc::new(backend.store(label))
            }
            ResolvedStore::Redis(url) => Arc::new(
                mdm_kv::RedisStore::connect(url)
                    .await
                    .with_context(|| format!("could not connect to Redis for store {label:?}"))?,
            ),
        };
        stores.insert(label.to_string(), store);
    }
    Ok(StoreCatalog::new(stores))
}
