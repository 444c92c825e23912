//! The route policy: which roles may use which method on which path. Deny by
//! default: a request no rule decides is forbidden.

use std::collections::BTreeSet;

use http::Method;

use crate::config::{GatewayConfig, RouteRule};
use crate::identity::Identity;
use crate::role::Role;

/// Why a request was refused (HTTP 403).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Forbidden {
    /// The kind, usable as a metric label.
    pub kind: ForbiddenKind,
    /// What was refused and why, safe to return in a problem body.
    pub reason: String,
}

/// The kinds of [`Forbidden`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ForbiddenKind {
    /// No rule decides this method on this path.
    NoRule,
    /// A rule decides it, and the caller has none of its roles.
    MissingRole,
    /// The path has empty, `.` or `..` segments or encoded separators, so no
    /// rule is trusted to decide it.
    BadPath,
}

impl ForbiddenKind {
    /// A short name for metrics and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ForbiddenKind::NoRule => "no_rule",
            ForbiddenKind::MissingRole => "missing_role",
            ForbiddenKind::BadPath => "bad_path",
        }
    }
}

/// One segment of a compiled prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Exactly this text.
    Literal(String),
    /// `*`: any one non-empty segment.
    Any,
}

/// A compiled prefix: the path's first segments must match these.
#[derive(Debug, Clone)]
struct Prefix {
    text: String,
    segments: Vec<Segment>,
}

impl Prefix {
    fn compile(prefix: &str) -> Self {
        let text = normalise_prefix(prefix).to_string();
        let segments = text
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| match s {
                "*" => Segment::Any,
                s => Segment::Literal(s.to_string()),
            })
            .collect();
        Self { text, segments }
    }

    /// Whether the (canonical) path starts with these segments.
    fn matches(&self, path: &str) -> bool {
        let mut segments = path.trim_start_matches('/').split('/');
        self.segments
            .iter()
            .all(|want| match (want, segments.next()) {
                (Segment::Literal(literal), Some(got)) => literal == got,
                (Segment::Any, Some(got)) => !got.is_empty(),
                (_, None) => false,
            })
    }

    /// Longer is more specific: more segments, then more literal ones.
    fn specificity(&self) -> (usize, usize) {
        let literal = self
            .segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count();
        (self.segments.len(), literal)
    }
}

#[derive(Debug, Clone)]
struct CompiledRule {
    prefix: Prefix,
    methods: Vec<Method>,
    roles: BTreeSet<Role>,
}

#[derive(Debug, Clone)]
enum PublicPath {
    Exact(String),
    Prefix(Prefix),
}

/// The compiled route policy and public paths.
#[derive(Debug, Clone)]
pub struct RoutePolicy {
    public: Vec<PublicPath>,
    rules: Vec<CompiledRule>,
}

impl RoutePolicy {
    /// Compiles the policy of a (validated) configuration.
    pub fn from_config(config: &GatewayConfig) -> Self {
        Self::new(&config.public_paths, &config.routes)
    }

    /// Compiles public paths (exact, or `/prefix/...`) and route rules.
    pub fn new(public_paths: &[String], routes: &[RouteRule]) -> Self {
        let public = public_paths
            .iter()
            .map(|p| match p.strip_suffix("/...") {
                Some(prefix) => PublicPath::Prefix(Prefix::compile(prefix)),
                None => PublicPath::Exact(p.clone()),
            })
            .collect();
        let rules = routes
            .iter()
            .map(|r| CompiledRule {
                prefix: Prefix::compile(&r.prefix),
                methods: r.methods.iter().map(|m| m.method().clone()).collect(),
                roles: r.roles.clone(),
            })
            .collect();
        Self { public, rules }
    }

    /// Whether `path` is served without a token.
    pub fn is_public(&self, path: &str) -> bool {
        is_canonical_path(path)
            && self.public.iter().any(|p| match p {
                PublicPath::Exact(exact) => exact == path,
                PublicPath::Prefix(prefix) => prefix.matches(path),
            })
    }

    /// Decides whether `identity` may send `method` to `path`: the rule with
    /// the longest prefix matching the path among those listing the method
    /// decides (longest: most segments, then most literal ones, then the
    /// first written); with no such rule the request is denied.
    pub fn authorize(
        &self,
        identity: &Identity,
        method: &Method,
        path: &str,
    ) -> Result<(), Forbidden> {
        if !is_canonical_path(path) {
            return Err(Forbidden {
                kind: ForbiddenKind::BadPath,
                reason: "the path has empty, '.' or '..' segments or encoded separators"
                    .to_string(),
            });
        }
        let mut decisive: Option<&CompiledRule> = None;
        for rule in &self.rules {
            if rule.methods.contains(method)
                && rule.prefix.matches(path)
                && decisive.is_none_or(|d| rule.prefix.specificity() > d.prefix.specificity())
            {
                decisive = Some(rule);
            }
        }
        let Some(rule) = decisive else {
            return Err(Forbidden {
                kind: ForbiddenKind::NoRule,
                reason: format!("no rule allows {method} on {path}"),
            });
        };
        if rule.roles.iter().any(|role| identity.roles.contains(role)) {
            return Ok(());
        }
        let needed: Vec<&str> = rule.roles.iter().map(|r| r.as_str()).collect();
        Err(Forbidden {
            kind: ForbiddenKind::MissingRole,
            reason: format!(
                "{method} on {} needs one of the roles: {}",
                rule.prefix.text,
                needed.join(", ")
            ),
        })
    }
}

/// Whether a prefix has a `*` inside a segment (only whole-segment `*` is
/// a wildcard).
pub(crate) fn has_partial_wildcard(prefix: &str) -> bool {
    prefix.split('/').any(|s| s != "*" && s.contains('*'))
}

/// A prefix without its trailing `/` (the root stays `/`).
pub(crate) fn normalise_prefix(prefix: &str) -> &str {
    match prefix.trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    }
}

/// Whether a path is absolute and canonical: no empty segment (but a
/// trailing `/`), no `.` or `..` segment (also percent-encoded), no encoded
/// `/` or `\`, no `\`.
pub(crate) fn is_canonical_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    if path.contains('\\') {
        return false;
    }
    let lower = path.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") {
        return false;
    }
    let segments: Vec<&str> = rest.split('/').collect();
    let last = segments.len() - 1;
    segments.iter().enumerate().all(|(i, segment)| {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        let empty_inside = segment.is_empty() && i != last;
        !empty_inside && decoded != "." && decoded != ".."
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HttpMethod;

    fn rule(prefix: &str, methods: &[&str], roles: &[Role]) -> RouteRule {
        RouteRule {
            prefix: prefix.to_string(),
            methods: methods
                .iter()
                .map(|m| HttpMethod::try_from(m.to_string()).unwrap())
                .collect(),
            roles: roles.iter().copied().collect(),
        }
    }

    fn identity(roles: &[Role]) -> Identity {
        Identity {
            subject: "someone".into(),
            roles: roles.iter().copied().collect(),
            organisations: vec![],
            integration: None,
        }
    }

    fn policy() -> RoutePolicy {
        RoutePolicy::new(
            &["/healthz".to_string(), "/docs/...".to_string()],
            &[
                rule("/api/v1/units", &["GET", "HEAD"], &[Role::Viewer]),
                rule("/api/v1/units/special", &["GET"], &[Role::PlatformAdmin]),
                rule("/api/v1/addresses", &["GET"], &[Role::Viewer]),
                rule("/api/v1/addresses/validate", &["POST"], &[Role::Viewer]),
                rule("/api/v1/producer", &["POST", "PUT"], &[Role::Producer]),
                rule(
                    "/api/v1/orders",
                    &["GET"],
                    &[Role::Orderer, Role::Programme],
                ),
                rule("/api/v1/orders", &["POST"], &[Role::Orderer]),
                rule("/api/v1/orders/*/approval", &["POST"], &[Role::Programme]),
            ],
        )
    }

    #[test]
    fn decides_by_longest_prefix_with_matching_method() {
        use Role::*;
        // (roles, method, path, decision)
        type Case = (
            &'static [Role],
            &'static str,
            &'static str,
            Result<(), ForbiddenKind>,
        );
        let cases: &[Case] = &[
            (&[Viewer], "GET", "/api/v1/units", Ok(())),
            (&[Viewer], "GET", "/api/v1/units/SE2321000016-15CQ", Ok(())),
            (&[Viewer], "HEAD", "/api/v1/units/x", Ok(())),
            (&[Viewer], "GET", "/api/v1/units/", Ok(())),
            // a longer prefix decides, even against the shorter one's roles
            (
                &[Viewer],
                "GET",
                "/api/v1/units/special",
                Err(ForbiddenKind::MissingRole),
            ),
            (
                &[Viewer],
                "GET",
                "/api/v1/units/special/x",
                Err(ForbiddenKind::MissingRole),
            ),
            (&[PlatformAdmin], "GET", "/api/v1/units/special", Ok(())),
            // the longer prefix does not list HEAD: the shorter one decides
            (&[Viewer], "HEAD", "/api/v1/units/special", Ok(())),
            // whole segments only
            (
                &[Viewer],
                "GET",
                "/api/v1/unitsx",
                Err(ForbiddenKind::NoRule),
            ),
            (&[Viewer], "GET", "/api/v1/units/specialist", Ok(())),
            // method not listed anywhere: denied by default
            (
                &[Viewer],
                "DELETE",
                "/api/v1/units/x",
                Err(ForbiddenKind::NoRule),
            ),
            (&[Viewer], "POST", "/api/v1/addresses/validate", Ok(())),
            (
                &[Viewer],
                "POST",
                "/api/v1/addresses",
                Err(ForbiddenKind::NoRule),
            ),
            (
                &[Viewer],
                "POST",
                "/api/v1/producer/units",
                Err(ForbiddenKind::MissingRole),
            ),
            (&[Producer], "POST", "/api/v1/producer/units", Ok(())),
            (
                &[Producer],
                "GET",
                "/api/v1/producer/units",
                Err(ForbiddenKind::NoRule),
            ),
            // no rule at all
            (
                &[Viewer, Producer, PlatformAdmin],
                "GET",
                "/api/v2/units",
                Err(ForbiddenKind::NoRule),
            ),
            (&[Viewer], "GET", "/", Err(ForbiddenKind::NoRule)),
            // no roles at all
            (
                &[],
                "GET",
                "/api/v1/units/x",
                Err(ForbiddenKind::MissingRole),
            ),
            // `*` stands for one segment, and counts towards the length
            (&[Orderer], "POST", "/api/v1/orders", Ok(())),
            (&[Orderer], "POST", "/api/v1/orders/o-1/signature", Ok(())),
            (
                &[Orderer],
                "POST",
                "/api/v1/orders/o-1/approval",
                Err(ForbiddenKind::MissingRole),
            ),
            (&[Programme], "POST", "/api/v1/orders/o-1/approval", Ok(())),
            (
                &[Programme],
                "POST",
                "/api/v1/orders/o-1/approval/x",
                Ok(()),
            ),
            (
                &[Programme],
                "POST",
                "/api/v1/orders/o-1",
                Err(ForbiddenKind::MissingRole),
            ),
            (&[Programme], "GET", "/api/v1/orders/o-1/approval", Ok(())),
            // non-canonical paths are never trusted
            (
                &[Viewer],
                "GET",
                "/api/v1/units/../producer/units",
                Err(ForbiddenKind::BadPath),
            ),
            (
                &[Viewer],
                "GET",
                "/api/v1/units/%2e%2E/x",
                Err(ForbiddenKind::BadPath),
            ),
            (
                &[Viewer],
                "GET",
                "/api/v1/units/./x",
                Err(ForbiddenKind::BadPath),
            ),
            (
                &[Viewer],
                "GET",
                "/api/v1//units/x",
                Err(ForbiddenKind::BadPath),
            ),
            (
                &[Viewer],
                "GET",
                "/api/v1/units/a%2Fb",
                Err(ForbiddenKind::BadPath),
            ),
            (
                &[Viewer],
                "GET",
                "/api/v1/units/a\\b",
                Err(ForbiddenKind::BadPath),
            ),
        ];
        let policy = policy();
        for (roles, method, path, expected) in cases {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let got = policy
                .authorize(&identity(roles), &method, path)
                .map_err(|f| f.kind);
            assert_eq!(&got, expected, "{roles:?} {method} {path}");
        }
    }

    #[test]
    fn forbidden_names_the_roles_needed() {
        let error = policy()
            .authorize(
                &identity(&[Role::Viewer]),
                &Method::POST,
                "/api/v1/producer/units",
            )
            .unwrap_err();
        assert_eq!(
            error.reason,
            "POST on /api/v1/producer needs one of the roles: producer"
        );
        let root = RoutePolicy::new(&[], &[rule("/", &["GET"], &[Role::PlatformAdmin])]);
        let error = root
            .authorize(&identity(&[Role::Viewer]), &Method::GET, "/x")
            .unwrap_err();
        assert_eq!(
            error.reason,
            "GET on / needs one of the roles: platform-admin"
        );
        assert_eq!(error.kind.as_str(), "missing_role");
    }

    #[test]
    fn public_paths_are_exact_or_wildcard_prefixes() {
        let policy = policy();
        for (path, public) in [
            ("/healthz", true),
            ("/healthz/x", false),
            ("/healthzx", false),
            ("/docs", true),
            ("/docs/openapi.json", true),
            ("/docs/../api/v1/units", false),
            ("/api/v1/units", false),
        ] {
            assert_eq!(policy.is_public(path), public, "{path}");
        }
    }

    #[test]
    fn canonical_paths() {
        for (path, canonical) in [
            ("/", true),
            ("/a/b", true),
            ("/a/b/", true),
            ("/a/.b", true),
            ("/a/..b", true),
            ("a/b", false),
            ("//a", false),
            ("/a/./b", false),
            ("/a/..", false),
            ("/a/%2E", false),
            ("/a/.%2e/b", false),
            ("/a%2fb", false),
            ("/a%5Cb", false),
        ] {
            assert_eq!(is_canonical_path(path), canonical, "{path}");
        }
    }
}
