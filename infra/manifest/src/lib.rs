//! Spin manifest (spin.toml v2) model, validation, variables and outbound allow-list
//!
//! Reads a `spin.toml` the way `spin up` (Spin 3.x) does, so the same file
//! runs unchanged on Spin and on our host:
//!
//! * [`Manifest`] (`Manifest::load(path)`, `text.parse::<Manifest>()`): the
//!   serde model with `deny_unknown_fields` everywhere, normalised (generated
//!   trigger ids, inline components moved to `[component.*]`) and validated.
//!   Features Spin has but this host lacks are load errors
//!   ([`Error::Unsupported`]).
//! * [`Variables`]: application variables resolved from
//!   `SPIN_VARIABLE_<NAME>` or their defaults, and each component's
//!   templated variables, resolved once at start-up.
//! * [`AllowedHosts`]: a component's `allowed_outbound_hosts`, parsed and
//!   checked per outbound request.
//!
//! ```
//! use mdm_manifest::{AllowedHosts, Manifest, OutboundTarget, Variables};
//!
//! let manifest: Manifest = r#"
//! spin_manifest_version = 2
//! [application]
//! name = "demo"
//! [variables]
//! api_host = { default = "api.example.com" }
//! [[trigger.http]]
//! route = "/..."
//! component = "web"
//! [component.web]
//! source = "web.wasm"
//! allowed_outbound_hosts = ["https://{{ api_host }}"]
//! variables = { base_url = "https://{{ api_host }}/v1" }
//! "#
//! .parse()?;
//!
//! let vars = Variables::resolve(&manifest, |_name| None)?;
//! assert_eq!(vars.get("web", "base_url")?, "https://api.example.com/v1");
//!
//! let (hosts, warnings) = AllowedHosts::parse(
//!     manifest.allowed_outbound_hosts("web"),
//!     |name| vars.app_value(name).map(str::to_owned),
//! )?;
//! assert!(warnings.is_empty());
//! assert!(hosts.allows("https", "api.example.com", 443));
//! assert!(hosts.allows_target(&OutboundTarget::new("https", "api.example.com", None)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod ids;
mod manifest;
pub mod outbound;
mod schema;
mod template;
pub mod variables;

pub use error::Error;
pub use ids::{ComponentId, Label, VariableName};
pub use outbound::{AllowedHostError, AllowedHosts, OutboundTarget};
pub use schema::{
    AppHttpTrigger, AppTriggers, Application, BuildConfig, Commands, Component, ComponentSource,
    ComponentSpec, FilesMount, HttpExecutor, HttpRoute, HttpTrigger, Manifest, ManifestVersion,
    PrivateEndpoint, Triggers, VariableDecl,
};
pub use variables::{GetError, Variables, VariablesError};

impl Component {
    /// `allowed_outbound_hosts` followed by the converted deprecated
    /// `allowed_http_hosts` (Spin's `normalized_allowed_outbound_hosts`).
    /// Invalid deprecated entries were rejected at load time and are skipped.
    pub fn outbound_host_entries(&self) -> Vec<String> {
        let mut entries = self.allowed_outbound_hosts.clone();
        entries.extend(
            outbound::convert_allowed_http_hosts(&self.allowed_http_hosts).unwrap_or_default(),
        );
        entries
    }
}

impl AllowedHosts {
    /// The allow-list of component `id` and its warnings: the entries of
    /// [`Manifest::allowed_outbound_hosts`] with templates filled from the
    /// resolved application variables, as Spin does. Unknown components
    /// allow nothing.
    pub fn for_component(
        manifest: &Manifest,
        variables: &Variables,
        id: &str,
    ) -> Result<(Self, Vec<String>), AllowedHostError> {
        AllowedHosts::parse(manifest.allowed_outbound_hosts(id), |name| {
            variables.app_value(name).map(str::to_owned)
        })
    }
}
