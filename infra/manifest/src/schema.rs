//! The serde model of a Spin manifest version 2 (`spin.toml`).
//!
//! The model mirrors Spin's `crates/manifest/src/schema/v2.rs` and
//! `schema/common.rs`: every table is `deny_unknown_fields`, so a misspelt key
//! is a load error naming that key. Every field Spin accepts parses here; the
//! ones our host does not implement are kept (often as raw TOML) so that
//! [`crate::Manifest`] validation can name them in an
//! [`Error::Unsupported`](crate::Error::Unsupported).
//!
//! "string or table" fields (`source`, `route`, `files` entries, a trigger's
//! `component`) use hand-written visitors instead of `#[serde(untagged)]`:
//! untagged enums throw away the inner error and TOML's location, whereas the
//! visitors keep both.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::ids::{ComponentId, Label, VariableName};

/// `spin_manifest_version = 2`, the only version this host reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ManifestVersion;

impl Serialize for ManifestVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(2)
    }
}

impl<'de> Deserialize<'de> for ManifestVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ManifestVersion;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the integer 2")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                if v == 2 {
                    Ok(ManifestVersion)
                } else {
                    Err(E::custom(format!(
                        "spin_manifest_version must be 2, found {v}"
                    )))
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The whole `spin.toml` (see [`crate::Manifest`] for loading and validation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// `spin_manifest_version = 2`.
    pub spin_manifest_version: ManifestVersion,
    /// `[application]`.
    pub application: Application,
    /// `[variables]`: application variables.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<VariableName, VariableDecl>,
    /// `[[trigger.<type>]]` tables. Required, as in Spin.
    #[serde(rename = "trigger")]
    pub triggers: Triggers,
    /// `[component.<id>]` tables (after loading, also the inline components
    /// of triggers, moved here the way Spin normalises them).
    #[serde(
        rename = "component",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub components: BTreeMap<ComponentId, Component>,
    /// Non-fatal findings of the last load (deprecations, `self` hosts...).
    #[serde(skip)]
    pub(crate) warnings: Vec<String>,
}

/// `[application]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// `name = "mdm"` (required).
    pub name: String,
    /// `version = "1.0.0"`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// `description = "..."`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `authors = ["..."]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// `targets = ["spin-up:3.2"]`: deployment-environment checks for
    /// `spin build`; accepted and ignored at run time (as `spin up` does).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<toml::Value>,
    /// `[application.trigger.<type>]` global trigger settings.
    #[serde(
        rename = "trigger",
        default,
        skip_serializing_if = "AppTriggers::is_empty"
    )]
    pub trigger: AppTriggers,
    /// `[application.tool.<name>]`: settings for external tools; ignored.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tool: BTreeMap<String, toml::Table>,
}

/// `[application.trigger.*]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct AppTriggers {
    /// `[application.trigger.http]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<AppHttpTrigger>,
    /// Settings for other trigger types, kept raw (Spin ignores them unless a
    /// trigger of that type exists, and such a trigger is rejected anyway).
    #[serde(flatten)]
    pub other: BTreeMap<String, toml::Value>,
}

impl AppTriggers {
    fn is_empty(&self) -> bool {
        self.http.is_none() && self.other.is_empty()
    }
}

impl<'de> Deserialize<'de> for AppTriggers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AppTriggers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of trigger settings keyed by trigger type")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = AppTriggers::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "http" {
                        out.http = Some(map.next_value()?);
                    } else {
                        let value = map.next_value()?;
                        out.other.insert(key, value);
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// `[application.trigger.http]`. Spin 3 (`crates/trigger-http/src/lib.rs`,
/// `validate_app`) only knows `base`, and rejects any base other than `/`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppHttpTrigger {
    /// The deprecated application base path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
}

/// One entry of `[variables]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableDecl {
    /// `description = "..."`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `required = true`: a value must come from the environment.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// `default = "..."`: used when the environment has no value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// `secret = true`: the value must not be logged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

/// All `[[trigger.<type>]]` arrays.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Triggers {
    /// `[[trigger.http]]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub http: Vec<HttpTrigger>,
    /// Any other trigger type (`[[trigger.redis]]`, `[[trigger.cron]]`...),
    /// kept raw so validation can report it as unsupported.
    #[serde(flatten)]
    pub other: BTreeMap<String, toml::Value>,
}

impl<'de> Deserialize<'de> for Triggers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Triggers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of trigger arrays keyed by trigger type")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Triggers::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "http" {
                        out.http = map.next_value()?;
                    } else {
                        let value = map.next_value()?;
                        out.other.insert(key, value);
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// One `[[trigger.http]]` entry (Spin's `Trigger` plus `HttpTriggerConfig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpTrigger {
    /// `id = "..."`; generated at load time when absent (Spin's
    /// `normalize_trigger_ids`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// `component = "<id>"` or an inline component table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<ComponentSpec>,
    /// `components = { ... }`: reserved by Spin for future use.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub components: BTreeMap<String, toml::Value>,
    /// `route = "/path"` or `route = { private = true }` (required).
    pub route: HttpRoute,
    /// `executor = { type = "http" }` (also `"spin"`, or `"wagi"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor: Option<HttpExecutor>,
    /// `static_response = { ... }` (Spin 3.4+): a response served by the
    /// host without a component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_response: Option<toml::Table>,
}

impl HttpTrigger {
    /// The referenced component id (always set after a successful load).
    pub fn component_id(&self) -> Option<&ComponentId> {
        match &self.component {
            Some(ComponentSpec::Reference(id)) => Some(id),
            _ => None,
        }
    }
}

/// A trigger's `component` value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ComponentSpec {
    /// `component = "unit-lookup"`.
    Reference(ComponentId),
    /// `component = { source = "...", ... }`; moved into `[component.*]` at
    /// load time.
    Inline(Box<Component>),
}

/// A trigger's `route` value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum HttpRoute {
    /// `route = "/api/..."`.
    Path(String),
    /// `route = { private = true }`: reachable only by service chaining.
    /// Spin rejects `{ private = false }`; so does validation.
    Private(PrivateEndpoint),
}

impl HttpRoute {
    /// The route pattern, `None` for a private endpoint.
    pub fn path(&self) -> Option<&str> {
        match self {
            HttpRoute::Path(p) => Some(p),
            HttpRoute::Private(_) => None,
        }
    }
}

/// `{ private = <bool> }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateEndpoint {
    /// Must be `true`.
    pub private: bool,
}

/// `executor = { type = "..." }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpExecutor {
    /// `"http"` (or its alias `"spin"`) or `"wagi"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Wagi only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argv: Option<String>,
    /// Wagi only (deprecated in Spin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<String>,
}

/// `[component.<id>]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// `source = "target/unit.wasm"` (or a URL / registry table, unsupported).
    pub source: ComponentSource,
    /// `description = "..."`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `variables = { name = "template {{ app_var }}" }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<VariableName, String>,
    /// `environment = { KEY = "value" }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    /// `files = ["glob", { source = "dir", destination = "/" }]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FilesMount>,
    /// `exclude_files = ["glob"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_files: Vec<String>,
    /// Deprecated predecessor of `allowed_outbound_hosts`; converted the way
    /// Spin's `compat::convert_allowed_http_to_allowed_hosts` does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_http_hosts: Vec<String>,
    /// `allowed_outbound_hosts = ["https://example.com"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_outbound_hosts: Vec<String>,
    /// `key_value_stores = ["default"]` (labels checked like [`Label`]).
    #[serde(
        default,
        deserialize_with = "labels",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub key_value_stores: Vec<String>,
    /// `sqlite_databases = ["default"]` (unsupported by this host).
    #[serde(
        default,
        deserialize_with = "labels",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub sqlite_databases: Vec<String>,
    /// `ai_models = ["llama2-chat"]` (unsupported by this host).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ai_models: Vec<String>,
    /// `targets = [...]`: per-component deployment-environment checks;
    /// accepted and ignored at run time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<toml::Value>,
    /// `[component.<id>.build]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildConfig>,
    /// `[component.<id>.tool.<name>]`: settings for external tools; ignored.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tool: BTreeMap<String, toml::Table>,
    /// `dependencies_inherit_configuration = true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies_inherit_configuration: Option<bool>,
    /// `[component.<id>.dependencies]` (unsupported by this host; kept raw).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dependencies: BTreeMap<String, toml::Value>,
    /// `[component.<id>.profile.<name>]`: build-profile overrides; only the
    /// default profile is run, so these are accepted and ignored.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub profile: BTreeMap<String, toml::Table>,
}

/// A component's `source`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ComponentSource {
    /// `source = "path/to/component.wasm"` (relative to the manifest).
    Local(String),
    /// `source = { url = "...", digest = "sha256:..." }` (unsupported).
    Remote {
        /// URL of the Wasm binary.
        url: String,
        /// `sha256:` digest of the binary.
        digest: String,
    },
    /// `source = { registry = "...", package = "...", version = "..." }`
    /// (unsupported).
    Registry {
        /// Registry host; the default registry when absent.
        #[serde(skip_serializing_if = "Option::is_none")]
        registry: Option<String>,
        /// Package name.
        package: String,
        /// Package version.
        version: String,
    },
}

/// One `files` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FilesMount {
    /// `"assets/**/*"`: a glob or path relative to the manifest.
    Pattern(String),
    /// `{ source = "assets", destination = "/" }`.
    Placement {
        /// Directory on the host, relative to the manifest.
        source: String,
        /// Absolute path in the guest.
        destination: String,
    },
}

/// `[component.<id>.build]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildConfig {
    /// `command = "cargo build"` or `command = ["a", "b"]`.
    pub command: Commands,
    /// `workdir = "components/unit"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workdir: Option<String>,
    /// `watch = ["src/**/*.rs"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub watch: Vec<String>,
}

/// A build `command`: one string or a list run in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Commands {
    /// `command = "cargo build"`.
    Single(String),
    /// `command = ["npm install", "npm run build"]`.
    Multiple(Vec<String>),
}

impl BuildConfig {
    /// The build commands, in order.
    pub fn commands(&self) -> Vec<String> {
        self.command.iter().map(str::to_owned).collect()
    }
}

impl Commands {
    /// The commands, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let slice: &[String] = match self {
            Commands::Single(c) => std::slice::from_ref(c),
            Commands::Multiple(cs) => cs,
        };
        slice.iter().map(String::as_str)
    }
}

/// A list of store labels, each checked like Spin's `kebab_or_snake_case`.
fn labels<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let labels = Vec::<String>::deserialize(deserializer)?;
    for label in &labels {
        Label::new(label.as_str()).map_err(de::Error::custom)?;
    }
    Ok(labels)
}

// ---------------------------------------------------------------------------
// "string or table" deserialisation that keeps TOML's error locations.

/// A type written either as a string or as a table.
trait StringOrTable: Sized {
    /// Shown in "invalid type" errors.
    const EXPECTING: &'static str;
    /// The table form.
    type Table: DeserializeOwned;
    fn from_string(s: String) -> Result<Self, String>;
    fn from_table(t: Self::Table) -> Result<Self, String>;
}

struct StringOrTableVisitor<T>(PhantomData<T>);

impl<'de, T: StringOrTable> Visitor<'de> for StringOrTableVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        T::from_string(v.to_owned()).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        let table = T::Table::deserialize(MapAccessDeserializer::new(map))?;
        T::from_table(table).map_err(de::Error::custom)
    }
}

macro_rules! deserialize_via_string_or_table {
    ($ty:ty) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(StringOrTableVisitor::<$ty>(PhantomData))
            }
        }
    };
}

/// The table form of `source`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceTable {
    url: Option<String>,
    digest: Option<String>,
    registry: Option<String>,
    package: Option<String>,
    version: Option<String>,
}

impl StringOrTable for ComponentSource {
    const EXPECTING: &'static str =
        "a path string, a table { url, digest } or a table { registry, package, version }";
    type Table = SourceTable;

    fn from_string(s: String) -> Result<Self, String> {
        Ok(ComponentSource::Local(s))
    }

    fn from_table(t: SourceTable) -> Result<Self, String> {
        match t {
            SourceTable {
                url: Some(url),
                digest: Some(digest),
                registry: None,
                package: None,
                version: None,
            } => Ok(ComponentSource::Remote { url, digest }),
            SourceTable {
                url: Some(_),
                digest: None,
                ..
            } => Err("a `url` source also needs a `digest` (\"sha256:...\")".into()),
            SourceTable {
                url: None,
                digest: None,
                registry,
                package: Some(package),
                version: Some(version),
            } => Ok(ComponentSource::Registry {
                registry,
                package,
                version,
            }),
            _ => Err(
                "a source table must be { url, digest } or { registry, package, version }".into(),
            ),
        }
    }
}
deserialize_via_string_or_table!(ComponentSource);

impl StringOrTable for HttpRoute {
    const EXPECTING: &'static str = "a route string or { private = true }";
    type Table = PrivateEndpoint;

    fn from_string(s: String) -> Result<Self, String> {
        Ok(HttpRoute::Path(s))
    }

    fn from_table(t: PrivateEndpoint) -> Result<Self, String> {
        Ok(HttpRoute::Private(t))
    }
}
deserialize_via_string_or_table!(HttpRoute);

/// The table form of a `files` entry.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlacementTable {
    source: String,
    destination: String,
}

impl StringOrTable for FilesMount {
    const EXPECTING: &'static str = "a glob string or a table { source, destination }";
    type Table = PlacementTable;

    fn from_string(s: String) -> Result<Self, String> {
        Ok(FilesMount::Pattern(s))
    }

    fn from_table(t: PlacementTable) -> Result<Self, String> {
        Ok(FilesMount::Placement {
            source: t.source,
            destination: t.destination,
        })
    }
}
deserialize_via_string_or_table!(FilesMount);

impl StringOrTable for ComponentSpec {
    const EXPECTING: &'static str = "a component id string or an inline component table";
    type Table = Component;

    fn from_string(s: String) -> Result<Self, String> {
        ComponentId::new(s).map(ComponentSpec::Reference)
    }

    fn from_table(t: Component) -> Result<Self, String> {
        Ok(ComponentSpec::Inline(Box::new(t)))
    }
}
deserialize_via_string_or_table!(ComponentSpec);

impl<'de> Deserialize<'de> for Commands {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Commands;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a command string or a list of command strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Commands, E> {
                Ok(Commands::Single(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Commands, A::Error> {
                Vec::<String>::deserialize(SeqAccessDeserializer::new(seq)).map(Commands::Multiple)
            }
        }
        deserializer.deserialize_any(V)
    }
}
