//! Load-time errors.

use std::path::PathBuf;

/// Why a `spin.toml` could not be loaded. Every message names the offending
/// field or location so it can be printed as is at start-up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The manifest file could not be read from disk.
    #[error("cannot read manifest {}: {source}", path.display())]
    Io {
        /// The path that was read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The text is not valid TOML or does not match the Spin manifest v2
    /// schema (unknown or misspelt key, wrong type, invalid id...). The TOML
    /// error carries the line, column and offending key.
    #[error("invalid manifest{}: {source}", path_suffix(path))]
    Parse {
        /// The manifest path, when loaded from a file.
        path: Option<PathBuf>,
        /// The TOML/serde error, with its location.
        #[source]
        source: Box<toml::de::Error>,
    },

    /// `spin_manifest_version` is missing or is not `2`.
    #[error(
        "unsupported `spin_manifest_version` {found}: this host reads only Spin manifest version 2 (`spin_manifest_version = 2`){hint}"
    )]
    UnsupportedManifestVersion {
        /// The value found (`"1"`, `3`, `<missing>`...).
        found: String,
        /// Extra advice for a known old version (empty otherwise).
        hint: &'static str,
    },

    /// The manifest uses a Spin feature this host does not implement.
    #[error("`{field}` is not supported by this host: {detail}")]
    Unsupported {
        /// Where the feature is used, e.g. `component.reports.sqlite_databases`.
        field: String,
        /// What exactly is unsupported, and what to do instead.
        detail: String,
    },

    /// `[application.trigger.http] base` is set to something other than
    /// `/`; Spin 3 rejects this deprecated field the same way.
    #[error(
        "`application.trigger.http.base` = {base:?} is not supported: the deprecated `base` must be \"/\" (or absent); prepend the base to each `[[trigger.http]]` route instead"
    )]
    UnsupportedBase {
        /// The configured base.
        base: String,
    },

    /// A trigger references a component id that has no `[component.<id>]`.
    #[error(
        "{trigger}: component {component:?} is not defined (no `[component.{component}]` table)"
    )]
    UnknownComponent {
        /// The trigger, e.g. ``[[trigger.http]] #2 (id `api`)``.
        trigger: String,
        /// The missing component id.
        component: String,
    },

    /// A trigger has no `component`.
    #[error("{trigger}: missing `component`")]
    MissingComponent {
        /// The trigger, e.g. ``[[trigger.http]] #2 (id `api`)``.
        trigger: String,
    },

    /// A trigger's `route` is `{ private = false }`, which Spin rejects.
    #[error(
        "{trigger}: `route` must be a string pattern or `{{ private = true }}`, found `{{ private = false }}`"
    )]
    PrivateFalse {
        /// The trigger, e.g. ``[[trigger.http]] #2 (id `api`)``.
        trigger: String,
    },

    /// A trigger's `executor` has an unknown `type`.
    #[error("{trigger}: unknown `executor.type` {kind:?} (expected \"http\" or \"spin\")")]
    UnknownExecutor {
        /// The trigger, e.g. ``[[trigger.http]] #2 (id `api`)``.
        trigger: String,
        /// The `type` found.
        kind: String,
    },

    /// Two HTTP triggers use the same route (after normalising the leading
    /// and a trailing `/`), so one of them could never be reached.
    #[error("{second}: route {route:?} duplicates the route of {first}")]
    DuplicateRoute {
        /// The normalised route.
        route: String,
        /// The trigger that declared it first (labelled as above).
        first: String,
        /// The trigger that repeats it.
        second: String,
    },

    /// An application variable sets both `required = true` and `default`.
    #[error("`variables.{name}`: `required = true` and `default` are mutually exclusive")]
    VariableRequiredWithDefault {
        /// The variable name.
        name: String,
    },

    /// An application variable has neither `required = true` nor `default`
    /// (Spin: "must be `required` OR have a `default`").
    #[error("`variables.{name}`: must be `required = true` or have a `default`")]
    VariableWithoutValue {
        /// The variable name.
        name: String,
    },

    /// A `{{ ... }}` template is malformed (e.g. an unmatched `{{`).
    #[error("`{location}`: invalid template {template:?}: {reason}")]
    InvalidTemplate {
        /// Where the template is, e.g. `component.api.variables.db_url`.
        location: String,
        /// The template text.
        template: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A template refers to an application variable not declared in
    /// `[variables]`.
    #[error(
        "`{location}`: `{{{{ {variable} }}}}` refers to an application variable that is not declared in `[variables]`"
    )]
    UndeclaredVariable {
        /// Where the template is.
        location: String,
        /// The undeclared name.
        variable: String,
    },

    /// An `allowed_outbound_hosts` (or deprecated `allowed_http_hosts`)
    /// entry is malformed.
    #[error("`{location}`: {source}")]
    InvalidAllowedHost {
        /// Where the entry is, e.g. `component.api.allowed_outbound_hosts`.
        location: String,
        /// The parse error.
        #[source]
        source: crate::outbound::AllowedHostError,
    },
}

fn path_suffix(path: &Option<PathBuf>) -> String {
    match path {
        Some(p) => format!(" {}", p.display()),
        None => String::new(),
    }
}
