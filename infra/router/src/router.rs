//! The HTTP router (Spin: `crates/http/src/routes.rs`).

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::ops::Range;

use crate::pattern::{Capture, Pattern, insert_by_precedence};

/// Paths under this prefix are answered by the runtime itself and never
/// reach a component (Spin: `health`, `info`, anything else is a 404).
pub const WELL_KNOWN_PREFIX: &str = "/.well-known/spin/";

/// A runtime-handled `/.well-known/spin/...` path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WellKnown {
    /// `/.well-known/spin/health`: answer `200 OK`.
    Health,
    /// `/.well-known/spin/info`: answer app information as JSON.
    Info,
    /// Any other path under the prefix: answer 404.
    NotFound,
}

/// Classifies `path` if it is under [`WELL_KNOWN_PREFIX`]; check this before
/// routing, as Spin's server does.
pub fn well_known(path: &str) -> Option<WellKnown> {
    Some(match path.strip_prefix(WELL_KNOWN_PREFIX)? {
        "health" => WellKnown::Health,
        "info" => WellKnown::Info,
        _ => WellKnown::NotFound,
    })
}

/// The route of one `[[trigger.http]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerRoute {
    /// `route = "/api/..."`.
    Path(String),
    /// `route = { private = true }`: not reachable from outside.
    Private,
}

/// One `[[trigger.http]]`: which component serves which route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    /// The component id.
    pub component_id: String,
    /// Its route.
    pub route: TriggerRoute,
}

impl RouteEntry {
    /// A public route.
    pub fn new(component_id: impl Into<String>, route: impl Into<String>) -> Self {
        Self {
            component_id: component_id.into(),
            route: TriggerRoute::Path(route.into()),
        }
    }

    /// A private endpoint (`route = { private = true }`).
    pub fn private(component_id: impl Into<String>) -> Self {
        Self {
            component_id: component_id.into(),
            route: TriggerRoute::Private,
        }
    }
}

/// A route that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid route {route:?} of component {component_id:?}: {reason}")]
pub struct RouteError {
    /// The route as written in the manifest.
    pub route: String,
    /// The component it belongs to.
    pub component_id: String,
    /// What is wrong.
    pub reason: String,
}

/// A route written twice with exactly the same text. As in Spin, the later
/// trigger wins (at the earlier one's position); the host should log these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateRoute {
    /// The route (with base).
    pub route: String,
    /// The component that lost the route.
    pub replaced_id: String,
    /// The component that serves it.
    pub effective_id: String,
}

#[derive(Debug, Clone)]
struct CompiledRoute {
    component_id: String,
    /// Route with the base prepended (Spin's `based_route`).
    based_route: String,
    /// Route as written (Spin's `raw_route`).
    raw_route: String,
    pattern: Pattern,
    param_count: usize,
    /// Position in the manifest: the start-up listing keeps Spin's order.
    order: usize,
}

impl CompiledRoute {
    fn wildcard_prefix(&self) -> Option<&str> {
        self.based_route
            .strip_suffix("/...")
            .or_else(|| self.based_route.strip_suffix("/*"))
    }
}

/// Routes request paths to components, the way Spin 3's HTTP trigger does.
///
/// Built once at start-up; [`Router::route`] is a scan over precompiled
/// routes in precedence order that allocates only for routes with
/// `:parameters`.
#[derive(Debug, Clone)]
pub struct Router {
    /// In precedence order: the first match wins.
    routes: Vec<CompiledRoute>,
    /// Every component with an HTTP trigger, public or private.
    components: BTreeSet<String>,
    duplicates: Vec<DuplicateRoute>,
    /// Value of the `spin-base-path` header.
    base_path: String,
}

impl Router {
    /// Builds the router from the `[[trigger.http]]` entries, in manifest
    /// order (it breaks ties between equally specific routes), and the
    /// application base path (`/` in Spin 3, which rejects any other base).
    pub fn build(
        base: &str,
        entries: impl IntoIterator<Item = RouteEntry>,
    ) -> Result<Router, RouteError> {
        let mut components = BTreeSet::new();
        // Deduplicate on the raw route text, like Spin's IndexMap: a repeat
        // replaces the earlier entry but keeps its position.
        let mut unique: Vec<(String, String)> = Vec::new(); // (raw route, component)
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut duplicates = Vec::new();
        for entry in entries {
            components.insert(entry.component_id.clone());
            let TriggerRoute::Path(raw) = entry.route else {
                continue;
            };
            match index.get(&raw) {
                Some(&at) => {
                    let replaced = std::mem::replace(&mut unique[at].1, entry.component_id.clone());
                    duplicates.push(DuplicateRoute {
                        route: display_route(&based_route(base, &raw)).to_owned(),
                        replaced_id: replaced,
                        effective_id: entry.component_id,
                    });
                }
                None => {
                    index.insert(raw.clone(), unique.len());
                    unique.push((raw, entry.component_id));
                }
            }
        }

        let mut routes: Vec<CompiledRoute> = Vec::with_capacity(unique.len());
        for (order, (raw_route, component_id)) in unique.into_iter().enumerate() {
            let based = based_route(base, &raw_route);
            let spec = match based.strip_suffix("/...") {
                Some(prefix) => Cow::Owned(format!("{prefix}/*")),
                None => Cow::Borrowed(based.as_str()),
            };
            let pattern = Pattern::parse(&spec).map_err(|reason| RouteError {
                route: raw_route.clone(),
                component_id: component_id.clone(),
                reason,
            })?;
            let route = CompiledRoute {
                param_count: pattern.param_count(),
                component_id,
                based_route: based,
                raw_route,
                pattern,
                order,
            };
            insert_by_precedence(&mut routes, route, |r| &r.pattern);
        }

        let base_path = match sanitize(base) {
            "" => "/".to_owned(),
            other => other.to_owned(),
        };
        Ok(Router {
            routes,
            components,
            duplicates,
            base_path,
        })
    }

    /// Builds the router from a loaded manifest's `[[trigger.http]]`
    /// entries, keeping only the triggers of the `selected` components (all
    /// when empty), like `spin up --component-id`.
    pub fn from_manifest(
        manifest: &mdm_manifest::Manifest,
        selected: &[&str],
    ) -> Result<Router, RouteError> {
        let base = manifest
            .application
            .trigger
            .http
            .as_ref()
            .and_then(|h| h.base.as_deref())
            .unwrap_or("/");
        let entries = manifest
            .http_routes()
            .filter(|(_, component, _)| {
                selected.is_empty() || selected.contains(&component.as_str())
            })
            .map(|(_, component, route)| match route {
                mdm_manifest::HttpRoute::Path(path) => RouteEntry::new(component.as_str(), path),
                mdm_manifest::HttpRoute::Private(_) => RouteEntry::private(component.as_str()),
            });
        Router::build(base, entries)
    }

    /// The component route for a request path (without the query string,
    /// and not percent-decoded - as Spin matches `uri.path()`). `None`: 404.
    pub fn route<'r, 'p>(&'r self, path: &'p str) -> Option<RouteMatch<'r, 'p>> {
        let route = self
            .routes
            .iter()
            .find(|r| r.pattern.matches(path, |_, _| {}))?;
        let mut params = Vec::with_capacity(route.param_count);
        let mut wildcard = None;
        let mut names = route.pattern.params();
        route.pattern.matches(path, |kind, range| match kind {
            Capture::Param => {
                if let Some(name) = names.next() {
                    params.push((name, &path[range]));
                }
            }
            Capture::Wildcard => wildcard = Some(range),
        });
        Some(RouteMatch {
            component_id: &route.component_id,
            based_route: &route.based_route,
            raw_route: &route.raw_route,
            base_path: &self.base_path,
            path,
            params,
            wildcard,
            chained: false,
        })
    }

    /// A service-chaining request to `http://<component_id>.spin.internal<path>`.
    ///
    /// Spin (`crates/trigger-http/src/outbound_http.rs`) does *not* route the
    /// path through the component's own routes: it builds a synthetic match
    /// as if the component had the route `/...` (`RouteMatch::synthetic`),
    /// so the whole path becomes `spin-path-info` and the component's routes
    /// (public or private) are ignored. Any component with an HTTP trigger
    /// is reachable, whatever the path; `None` if it has no HTTP trigger.
    pub fn route_component<'r, 'p>(
        &'r self,
        component_id: &str,
        path: &'p str,
    ) -> Option<RouteMatch<'r, 'p>> {
        let component_id = self.components.get(component_id)?;
        Some(RouteMatch {
            component_id,
            based_route: "/...",
            raw_route: "/...",
            base_path: "/",
            path,
            params: Vec::new(),
            wildcard: None,
            chained: true,
        })
    }

    /// Whether `component_id` has an HTTP trigger (and so can be reached by
    /// service chaining).
    pub fn has_component(&self, component_id: &str) -> bool {
        self.components.contains(component_id)
    }

    /// Routes written twice (see [`DuplicateRoute`]).
    pub fn duplicates(&self) -> &[DuplicateRoute] {
        &self.duplicates
    }

    /// The public routes in manifest order (as `spin up` lists them).
    pub fn routes(&self) -> impl Iterator<Item = RouteInfo<'_>> {
        let mut listed: Vec<&CompiledRoute> = self.routes.iter().collect();
        listed.sort_by_key(|r| r.order);
        listed.into_iter().map(|r| RouteInfo {
            component_id: &r.component_id,
            based_route: &r.based_route,
            raw_route: &r.raw_route,
            wildcard_prefix: r.wildcard_prefix(),
        })
    }

    /// True if a route lies under [`WELL_KNOWN_PREFIX`] (it can never be
    /// reached; Spin logs an error for it).
    pub fn contains_reserved_route(&self) -> bool {
        self.routes
            .iter()
            .any(|r| r.based_route.starts_with(WELL_KNOWN_PREFIX))
    }

    /// The `spin-base-path` value.
    pub fn base_path(&self) -> &str {
        &self.base_path
    }
}

/// One public route, for listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteInfo<'r> {
    /// The component serving it.
    pub component_id: &'r str,
    /// The route with the base.
    pub based_route: &'r str,
    /// The route as written.
    pub raw_route: &'r str,
    wildcard_prefix: Option<&'r str>,
}

impl RouteInfo<'_> {
    /// True for a `/...` (or `/*`) route.
    pub fn is_wildcard(&self) -> bool {
        self.wildcard_prefix.is_some()
    }
}

impl fmt::Display for RouteInfo<'_> {
    /// Like Spin's listing: `/api/v1/health`, or `/api/v1/units (wildcard)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.wildcard_prefix {
            Some(prefix) => write!(f, "{prefix} (wildcard)"),
            None => f.write_str(self.based_route),
        }
    }
}

/// The result of routing a request.
#[derive(Debug, Clone)]
pub struct RouteMatch<'r, 'p> {
    component_id: &'r str,
    based_route: &'r str,
    raw_route: &'r str,
    base_path: &'r str,
    path: &'p str,
    params: Vec<(&'r str, &'p str)>,
    /// Byte range of the wildcard capture within `path`.
    wildcard: Option<Range<usize>>,
    chained: bool,
}

impl<'r, 'p> RouteMatch<'r, 'p> {
    /// The component to run.
    pub fn component_id(&self) -> &'r str {
        self.component_id
    }

    /// The route with the base (`spin-matched-route`).
    pub fn based_route(&self) -> &'r str {
        self.based_route
    }

    /// The route as written in the manifest (`spin-raw-component-route`).
    pub fn raw_route(&self) -> &'r str {
        self.raw_route
    }

    /// The raw route without a trailing `/...` (`spin-component-route`).
    pub fn raw_route_or_prefix(&self) -> &'r str {
        self.raw_route
            .strip_suffix("/...")
            .unwrap_or(self.raw_route)
    }

    /// The based route without a trailing `/...`.
    pub fn based_route_or_prefix(&self) -> &'r str {
        self.based_route
            .strip_suffix("/...")
            .unwrap_or(self.based_route)
    }

    /// The `spin-base-path` value.
    pub fn base_path(&self) -> &'r str {
        self.base_path
    }

    /// The request path that was routed.
    pub fn path(&self) -> &'p str {
        self.path
    }

    /// True for a service-chaining match ([`Router::route_component`]).
    pub fn is_chained(&self) -> bool {
        self.chained
    }

    /// `:name` captures, in route order.
    pub fn named_wildcards(&self) -> impl Iterator<Item = (&'r str, &'p str)> + '_ {
        self.params.iter().copied()
    }

    /// The value of parameter `name` (the last one, if repeated - Spin
    /// collects captures into a map).
    pub fn param(&self, name: &str) -> Option<&'p str> {
        self.params
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    /// The part of the path matched by a trailing `/...` (`spin-path-info`).
    ///
    /// Spin keeps slashes: route `/foo/...` gives `""` for `/foo`, `"/"` for
    /// `/foo/`, `"/bar"` for `/foo/bar` and `"/bar/"` for `/foo/bar/`.
    /// Exact routes give `""`; chained requests give the whole path.
    pub fn trailing_wildcard(&self) -> Cow<'p, str> {
        if self.chained {
            return Cow::Borrowed(self.path);
        }
        let Some(range) = self.wildcard.clone() else {
            return Cow::Borrowed("");
        };
        let path = self.path;
        let trailing_slash = path.ends_with('/');
        if range.is_empty() {
            return Cow::Borrowed(if trailing_slash { "/" } else { "" });
        }
        // The captured text normally sits right after a '/' (and, with a
        // trailing slash, right before one), so it can be borrowed.
        let slash_before = range.start > 0 && path.as_bytes()[range.start - 1] == b'/';
        let end = if trailing_slash {
            range.end + 1
        } else {
            range.end
        };
        if slash_before && end <= path.len() {
            Cow::Borrowed(&path[range.start - 1..end])
        } else if trailing_slash {
            Cow::Owned(format!("/{}/", &path[range]))
        } else {
            Cow::Owned(format!("/{}", &path[range]))
        }
    }
}

/// Spin's `sanitize_with_base`: absolutise the route, drop one trailing `/`
/// from base and route, and join them.
fn based_route(base: &str, raw: &str) -> String {
    let absolute: Cow<'_, str> = if raw.starts_with('/') {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(format!("/{raw}"))
    };
    format!("{}{}", sanitize(base), sanitize(&absolute))
}

fn sanitize(s: &str) -> &str {
    s.strip_suffix('/').unwrap_or(s)
}

/// Spin shows the empty based route (root) as `/`.
fn display_route(based: &str) -> &str {
    if based.is_empty() { "/" } else { based }
}
