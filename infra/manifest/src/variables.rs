//! Application and component variables, resolved once at start-up.
//!
//! Spin semantics (`crates/expressions/src/lib.rs`,
//! `crates/variables/src/env.rs`, `crates/loader/src/local.rs`):
//!
//! * an application variable gets its value from a provider - here only the
//!   environment provider: `SPIN_VARIABLE_<NAME_UPPERCASED>` - and otherwise
//!   from its `default`; an empty environment value counts as a value;
//! * a `required` variable without a value fails start-up;
//! * a component sees only its own `variables`, whose values are templates
//!   over application variables (`"https://{{ api_host }}/v1"`);
//! * `get` validates the name first (invalid name) and then looks it up in
//!   the component (undefined).
//!
//! Not implemented: Spin's `.env` file fallback, `--variable` CLI values and
//! vault/Azure providers. A host can still add CLI values through
//! [`Variables::resolve`]'s lookup closure.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::ids::VariableName;
use crate::schema::Manifest;
use crate::template;

/// The environment variable that overrides application variable `name`:
/// `SPIN_VARIABLE_` + the name in upper case.
pub fn env_var_name(name: &str) -> String {
    format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase())
}

/// A required application variable with no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingVariable {
    /// The variable name.
    pub name: String,
    /// The environment variable that would provide it.
    pub env_var: String,
}

/// Why variables could not be resolved at start-up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VariablesError {
    /// One or more `required` application variables have no value.
    #[error("required application variable(s) not set: {}", missing_list(.0))]
    MissingRequired(Vec<MissingVariable>),
    /// An override environment variable is not valid UTF-8.
    #[error("environment variable {env_var} is not valid UTF-8")]
    NotUnicode {
        /// The environment variable.
        env_var: String,
    },
    /// A component variable template is malformed or refers to an undeclared
    /// application variable (normally caught when the manifest is loaded).
    #[error("`component.{component}.variables.{name}`: {reason}")]
    Template {
        /// The component id.
        component: String,
        /// The component variable.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

fn missing_list(missing: &[MissingVariable]) -> String {
    missing
        .iter()
        .map(|m| format!("`{}` (set {})", m.name, m.env_var))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why [`Variables::get`] returned no value; mirrors Spin's
/// `variables.error` (`invalid-name`, `undefined`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GetError {
    /// The requested name is not a valid variable name.
    #[error("{0}")]
    InvalidName(String),
    /// The component declares no variable with this name.
    #[error("no variable {name:?} for component {component:?}")]
    Undefined {
        /// The component id.
        component: String,
        /// The requested name.
        name: String,
    },
}

#[derive(Clone)]
struct Value {
    value: String,
    secret: bool,
}

/// Every application and component variable, resolved. Per-request lookups
/// are map lookups.
///
/// `Debug` never prints values of secret variables.
#[derive(Clone, Default)]
pub struct Variables {
    app: BTreeMap<String, Value>,
    /// component id -> variable name -> value
    components: HashMap<String, HashMap<String, Value>>,
}

impl Variables {
    /// Resolves all variables of `manifest`. `lookup` receives an
    /// application variable name (`api_host`) and returns its override, if
    /// any - in production the value of `SPIN_VARIABLE_API_HOST` (see
    /// [`Variables::from_env`] and [`env_var_name`]). An override takes
    /// precedence over the `default`.
    pub fn resolve(
        manifest: &Manifest,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, VariablesError> {
        let mut app = BTreeMap::new();
        let mut missing = Vec::new();
        for (name, decl) in &manifest.variables {
            match lookup(name.as_str()).or_else(|| decl.default.clone()) {
                Some(value) => {
                    app.insert(
                        name.to_string(),
                        Value {
                            value,
                            secret: decl.secret,
                        },
                    );
                }
                None => missing.push(MissingVariable {
                    name: name.to_string(),
                    env_var: env_var_name(name.as_str()),
                }),
            }
        }
        if !missing.is_empty() {
            return Err(VariablesError::MissingRequired(missing));
        }

        let mut components = HashMap::new();
        for (id, component) in &manifest.components {
            let mut values = HashMap::new();
            for (name, text) in &component.variables {
                let error = |reason: String| VariablesError::Template {
                    component: id.to_string(),
                    name: name.to_string(),
                    reason,
                };
                let parts = template::parse(text).map_err(error)?;
                let mut secret = false;
                let value = template::render(&parts, |var| {
                    let v = app.get(var)?;
                    secret |= v.secret;
                    Some(v.value.clone())
                })
                .map_err(|var| {
                    error(format!("`{{{{ {var} }}}}` is not an application variable"))
                })?;
                values.insert(name.to_string(), Value { value, secret });
            }
            components.insert(id.to_string(), values);
        }
        Ok(Self { app, components })
    }

    /// Resolves from the process environment (`SPIN_VARIABLE_*`).
    pub fn from_env(manifest: &Manifest) -> Result<Self, VariablesError> {
        let mut env = HashMap::new();
        for name in manifest.variables.keys() {
            let env_var = env_var_name(name.as_str());
            if let Some(raw) = std::env::var_os(&env_var) {
                match raw.into_string() {
                    Ok(value) => {
                        env.insert(name.as_str(), value);
                    }
                    Err(_) => return Err(VariablesError::NotUnicode { env_var }),
                }
            }
        }
        Self::resolve(manifest, |name| env.get(name).cloned())
    }

    /// The value of component variable `name` for `component_id`.
    pub fn get(&self, component_id: &str, name: &str) -> Result<&str, GetError> {
        VariableName::new(name).map_err(GetError::InvalidName)?;
        self.components
            .get(component_id)
            .and_then(|vars| vars.get(name))
            .map(|v| v.value.as_str())
            .ok_or_else(|| GetError::Undefined {
                component: component_id.to_owned(),
                name: name.to_owned(),
            })
    }

    /// All resolved variables of a component, name to value (empty for an
    /// unknown component) - e.g. to hand to the component's instance state.
    pub fn component(&self, component_id: &str) -> HashMap<String, String> {
        self.components
            .get(component_id)
            .map(|vars| {
                vars.iter()
                    .map(|(k, v)| (k.clone(), v.value.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether a component variable's value comes from a `secret`
    /// application variable.
    pub fn is_secret(&self, component_id: &str, name: &str) -> bool {
        self.components
            .get(component_id)
            .and_then(|vars| vars.get(name))
            .is_some_and(|v| v.secret)
    }

    /// The resolved value of application variable `name` (for
    /// `allowed_outbound_hosts` templates).
    pub fn app_value(&self, name: &str) -> Option<&str> {
        self.app.get(name).map(|v| v.value.as_str())
    }
}

struct Redacted<'a>(&'a Value);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.secret {
            f.write_str("<secret>")
        } else {
            fmt::Debug::fmt(&self.0.value, f)
        }
    }
}

impl fmt::Debug for Variables {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut components: Vec<_> = self.components.iter().collect();
        components.sort_by_key(|(id, _)| id.as_str());
        f.debug_struct("Variables")
            .field(
                "app",
                &self
                    .app
                    .iter()
                    .map(|(k, v)| (k, Redacted(v)))
                    .collect::<BTreeMap<_, _>>(),
            )
            .field(
                "components",
                &components
                    .into_iter()
                    .map(|(id, vars)| {
                        let vars: BTreeMap<_, _> =
                            vars.iter().map(|(k, v)| (k, Redacted(v))).collect();
                        (id, vars)
                    })
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}
