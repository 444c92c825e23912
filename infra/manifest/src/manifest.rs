//! Loading: parse, normalise (as Spin does), then validate.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;

use serde::Deserialize;

use crate::error::Error;
use crate::ids::{ComponentId, VariableName};
use crate::outbound::AllowedHosts;
use crate::schema::{BuildConfig, Component, ComponentSource, ComponentSpec, HttpRoute, Manifest};
use crate::template;

/// Only used to look at `spin_manifest_version` before the strict parse, so
/// a version-1 manifest gets a version error rather than dozens of
/// "unknown field" errors (Spin's `ManifestVersion::detect` does the same).
#[derive(Deserialize)]
struct VersionProbe {
    spin_manifest_version: Option<toml::Value>,
}

impl FromStr for Manifest {
    type Err = Error;

    /// Parses and validates manifest text (see [`Manifest::load`]).
    fn from_str(text: &str) -> Result<Self, Error> {
        Manifest::parse_inner(text, None)
    }
}

impl Manifest {
    /// Reads, parses and validates a `spin.toml`.
    ///
    /// The result is normalised the way Spin normalises it: triggers without
    /// an `id` get one (`<component>-http-trigger`, else `http-triggerN`), and
    /// inline trigger components are moved into `components`
    /// (`<trigger-id>-component`, else `inline-componentN`).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse_inner(&text, Some(path))
    }

    fn parse_inner(text: &str, path: Option<&Path>) -> Result<Self, Error> {
        let parse_error = |source: toml::de::Error| Error::Parse {
            path: path.map(Path::to_owned),
            source: Box::new(source),
        };
        let probe: VersionProbe = toml::from_str(text).map_err(parse_error)?;
        match &probe.spin_manifest_version {
            Some(toml::Value::Integer(2)) => {}
            Some(toml::Value::String(v)) if v == "1" => {
                return Err(Error::UnsupportedManifestVersion {
                    found: "\"1\"".into(),
                    hint: " - this is a Spin 1 manifest; convert it with `spin doctor` or by hand",
                });
            }
            Some(other) => {
                return Err(Error::UnsupportedManifestVersion {
                    found: other.to_string(),
                    hint: "",
                });
            }
            None => {
                return Err(Error::UnsupportedManifestVersion {
                    found: "<missing>".into(),
                    hint: "",
                });
            }
        }
        let mut manifest: Manifest = toml::from_str(text).map_err(parse_error)?;
        manifest.normalize();
        manifest.validate()?;
        Ok(manifest)
    }

    /// Serialises the (normalised) manifest back to TOML.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }

    /// Non-fatal findings of the load (deprecated fields, `self` hosts...),
    /// for the host to print.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The component with this id.
    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.get(id)
    }

    /// All component ids, in id order.
    pub fn component_ids(&self) -> impl Iterator<Item = &str> {
        self.components.keys().map(ComponentId::as_str)
    }

    /// The Wasm file of a component, relative to the manifest directory
    /// (empty for an unknown component; non-file sources are rejected at
    /// load time).
    pub fn source_path(&self, id: &str) -> &Path {
        match self.components.get(id).map(|c| &c.source) {
            Some(ComponentSource::Local(path)) => Path::new(path),
            _ => Path::new(""),
        }
    }

    /// The `[component.<id>.build]` table, if any.
    pub fn build(&self, id: &str) -> Option<&BuildConfig> {
        self.components.get(id)?.build.as_ref()
    }

    /// The outbound-host entries of a component: `allowed_outbound_hosts`
    /// plus the converted deprecated `allowed_http_hosts` (see
    /// [`Component::outbound_host_entries`]); empty for an unknown component.
    pub fn allowed_outbound_hosts(&self, id: &str) -> Vec<String> {
        self.components
            .get(id)
            .map(Component::outbound_host_entries)
            .unwrap_or_default()
    }

    /// The key-value store labels a component may open (empty for an
    /// unknown component).
    pub fn key_value_stores(&self, id: &str) -> &[String] {
        self.components
            .get(id)
            .map_or(&[], |c| c.key_value_stores.as_slice())
    }

    /// `(trigger id, component id, route)` of every `[[trigger.http]]`, in
    /// manifest order (the order matters for route tie-breaking).
    pub fn http_routes(&self) -> impl Iterator<Item = (&str, &ComponentId, &HttpRoute)> {
        self.triggers
            .http
            .iter()
            .filter_map(|t| Some((t.id.as_str(), t.component_id()?, &t.route)))
    }

    // -----------------------------------------------------------------------
    // Normalisation (Spin: crates/manifest/src/normalize.rs)

    fn normalize(&mut self) {
        // Trigger ids first, since inline component ids derive from them.
        let mut taken: HashSet<String> = self.triggers.http.iter().map(|t| t.id.clone()).collect();
        let mut counter = 1;
        for trigger in &mut self.triggers.http {
            if !trigger.id.is_empty() {
                continue;
            }
            if let Some(ComponentSpec::Reference(component)) = &trigger.component {
                let candidate = format!("{component}-http-trigger");
                if taken.insert(candidate.clone()) {
                    trigger.id = candidate;
                    continue;
                }
            }
            trigger.id = loop {
                let candidate = format!("http-trigger{counter}");
                counter += 1;
                if taken.insert(candidate.clone()) {
                    break candidate;
                }
            };
        }

        // Inline components become top-level components. `components`
        // (reserved) is rejected by validation, so a trigger has at most
        // one component spec here.
        for trigger in &mut self.triggers.http {
            let Some(ComponentSpec::Inline(_)) = &trigger.component else {
                continue;
            };
            let natural = ComponentId::new(format!("{}-component", trigger.id))
                .ok()
                .filter(|id| !self.components.contains_key(id));
            let id = natural.unwrap_or_else(|| {
                (1..)
                    .map(|n| ComponentId::new(format!("inline-component{n}")).expect("valid id"))
                    .find(|id| !self.components.contains_key(id))
                    .expect("unbounded search")
            });
            let Some(ComponentSpec::Inline(component)) = trigger
                .component
                .replace(ComponentSpec::Reference(id.clone()))
            else {
                unreachable!("checked above");
            };
            self.components.insert(id, *component);
        }
    }

    // -----------------------------------------------------------------------
    // Validation

    fn validate(&mut self) -> Result<(), Error> {
        let mut warnings = Vec::new();

        if let Some(kind) = self.triggers.other.keys().next() {
            return Err(Error::Unsupported {
                field: format!("trigger.{kind}"),
                detail: format!(
                    "only `[[trigger.http]]` triggers can run here; `[[trigger.{kind}]]` needs a Spin trigger plugin this host does not have"
                ),
            });
        }

        if let Some(base) = self
            .application
            .trigger
            .http
            .as_ref()
            .and_then(|h| h.base.as_deref())
        {
            if base != "/" {
                return Err(Error::UnsupportedBase { base: base.into() });
            }
            warnings.push(
                "`application.trigger.http.base` is deprecated; remove it (\"/\" is the default)"
                    .to_owned(),
            );
        }

        self.validate_variables()?;
        self.validate_triggers()?;
        for (id, component) in &self.components {
            validate_component(id, component, &self.variables, &mut warnings)?;
        }

        self.warnings = warnings;
        Ok(())
    }

    fn validate_variables(&self) -> Result<(), Error> {
        for (name, decl) in &self.variables {
            match (decl.required, decl.default.is_some()) {
                (true, true) => {
                    return Err(Error::VariableRequiredWithDefault {
                        name: name.to_string(),
                    });
                }
                (false, false) => {
                    return Err(Error::VariableWithoutValue {
                        name: name.to_string(),
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn validate_triggers(&self) -> Result<(), Error> {
        // normalised route -> trigger id that declared it
        let mut routes: HashMap<String, String> = HashMap::new();
        for (index, trigger) in self.triggers.http.iter().enumerate() {
            let id = trigger.id.as_str();
            let label = format!("`[[trigger.http]]` #{} (id `{id}`)", index + 1);
            if !trigger.components.is_empty() {
                return Err(Error::Unsupported {
                    field: format!("trigger.http.{id}.components"),
                    detail: "the `components` trigger field is reserved by Spin for future use"
                        .into(),
                });
            }
            if trigger.static_response.is_some() {
                return Err(Error::Unsupported {
                    field: format!("trigger.http.{id}.static_response"),
                    detail: "static responses are not implemented; route to a component instead"
                        .into(),
                });
            }
            if let Some(executor) = &trigger.executor {
                match executor.kind.as_str() {
                    "http" | "spin" => {}
                    "wagi" => {
                        return Err(Error::Unsupported {
                            field: format!("trigger.http.{id}.executor"),
                            detail: "the Wagi executor is not implemented; build the component for wasi:http".into(),
                        });
                    }
                    other => {
                        return Err(Error::UnknownExecutor {
                            trigger: label,
                            kind: other.into(),
                        });
                    }
                }
            }
            let Some(component) = trigger.component_id() else {
                return Err(Error::MissingComponent { trigger: label });
            };
            if !self.components.contains_key(component) {
                return Err(Error::UnknownComponent {
                    trigger: label,
                    component: component.to_string(),
                });
            }
            match &trigger.route {
                HttpRoute::Private(endpoint) if !endpoint.private => {
                    return Err(Error::PrivateFalse { trigger: label });
                }
                HttpRoute::Private(_) => {}
                HttpRoute::Path(route) => {
                    let key = normalize_route(route);
                    if let Some(first) = routes.insert(key.clone(), label.clone()) {
                        return Err(Error::DuplicateRoute {
                            route: key,
                            first,
                            second: label,
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

/// Spin's `sanitize_with_base("/", route)` (`crates/http/src/routes.rs`):
/// make the route absolute and drop one trailing `/`, so `/a`, `a` and `/a/`
/// are the same route.
///
/// Deliberate difference: Spin only detects duplicates with the *same raw
/// text*, logs them and lets the last one win; two spellings of one route
/// (`/a` and `/a/`) are both kept and the first one shadows the other. We
/// reject all of these at load time.
fn normalize_route(route: &str) -> String {
    let absolute = if route.starts_with('/') {
        route.to_owned()
    } else {
        format!("/{route}")
    };
    match absolute.strip_suffix('/') {
        Some("") => "/".to_owned(),
        Some(stripped) => stripped.to_owned(),
        None => absolute,
    }
}

fn validate_component(
    id: &ComponentId,
    component: &Component,
    app_variables: &BTreeMap<VariableName, crate::schema::VariableDecl>,
    warnings: &mut Vec<String>,
) -> Result<(), Error> {
    let unsupported = |field: &str, detail: &str| Error::Unsupported {
        field: format!("component.{id}.{field}"),
        detail: detail.to_owned(),
    };
    match &component.source {
        ComponentSource::Local(_) => {}
        ComponentSource::Remote { .. } => {
            return Err(unsupported(
                "source",
                "`source = { url, digest }` (download from a URL) is not implemented; download the Wasm file and use a path",
            ));
        }
        ComponentSource::Registry { .. } => {
            return Err(unsupported(
                "source",
                "`source = { registry, package, version }` is not implemented; use a path to a Wasm file",
            ));
        }
    }
    if !component.sqlite_databases.is_empty() {
        return Err(unsupported(
            "sqlite_databases",
            "the SQLite API is not provided; use `key_value_stores`",
        ));
    }
    if !component.ai_models.is_empty() {
        return Err(unsupported(
            "ai_models",
            "the Serverless AI (LLM) API is not provided",
        ));
    }
    if !component.dependencies.is_empty() {
        return Err(unsupported(
            "dependencies",
            "component dependencies (composition at load time) are not implemented; compose the component before running it",
        ));
    }

    for (name, value) in &component.variables {
        let location = format!("component.{id}.variables.{name}");
        check_template(&location, value, app_variables)?;
    }

    if !component.allowed_http_hosts.is_empty() {
        let location = format!("component.{id}.allowed_http_hosts");
        let converted = crate::outbound::convert_allowed_http_hosts(&component.allowed_http_hosts)
            .map_err(|source| Error::InvalidAllowedHost {
                location: location.clone(),
                source,
            })?;
        warnings.push(format!(
            "`{location}` is deprecated; replace it with `allowed_outbound_hosts = {converted:?}`"
        ));
    }
    let location = format!("component.{id}.allowed_outbound_hosts");
    for entry in &component.allowed_outbound_hosts {
        check_template(&location, entry, app_variables)?;
    }
    // Literal entries are checked now; templated ones once variables are
    // resolved. Placeholders resolve to a dummy here so the rest of the
    // entry is still syntax-checked where possible.
    let literal: Vec<&String> = component
        .allowed_outbound_hosts
        .iter()
        .filter(|e| template::parse(e).is_ok_and(|p| template::is_literal(&p)))
        .collect();
    let (_, host_warnings) =
        AllowedHosts::parse(&literal, |_| None).map_err(|source| Error::InvalidAllowedHost {
            location: location.clone(),
            source,
        })?;
    warnings.extend(host_warnings.iter().map(|w| format!("`{location}`: {w}")));
    Ok(())
}

/// Checks template syntax and that every placeholder is a declared
/// application variable.
fn check_template(
    location: &str,
    text: &str,
    app_variables: &BTreeMap<VariableName, crate::schema::VariableDecl>,
) -> Result<(), Error> {
    let parts = template::parse(text).map_err(|reason| Error::InvalidTemplate {
        location: location.to_owned(),
        template: text.to_owned(),
        reason,
    })?;
    for part in parts {
        if let template::Part::Variable(name) = part
            && !app_variables.contains_key(name)
        {
            return Err(Error::UndeclaredVariable {
                location: location.to_owned(),
                variable: name.to_owned(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::normalize_route;

    #[test]
    fn routes_normalise_like_spin_sanitize_with_base() {
        for (raw, expected) in [
            ("/", "/"),
            ("", "/"),
            ("/a", "/a"),
            ("a", "/a"),
            ("/a/", "/a"),
            ("/a/...", "/a/..."),
            ("/...", "/..."),
        ] {
            assert_eq!(normalize_route(raw), expected, "{raw:?}");
        }
    }
}
