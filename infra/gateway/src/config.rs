//! The gateway's configuration (`infra/gateway.toml`): the issuer, how claims
//! become an identity, the route policy, integration rate limits and the
//! development IdP. Unknown fields are rejected; every check names the field.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

use crate::role::Role;

/// The whole gateway configuration, one TOML file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// Paths answered without a token: exact paths, or prefixes written
    /// `/prefix/...` (Spin's wildcard syntax).
    #[serde(default)]
    pub public_paths: Vec<String>,
    /// The OIDC issuer whose access tokens are accepted.
    pub issuer: IssuerConfig,
    /// How a validated token's claims become an [`Identity`](crate::Identity).
    #[serde(default)]
    pub claims: ClaimsConfig,
    /// The route policy, `[[route]]` tables: deny by default.
    #[serde(default, rename = "route")]
    pub routes: Vec<RouteRule>,
    /// Per-integration rate limits.
    #[serde(default)]
    pub rate_limit: RateLimitConfig,
    /// The development IdP.
    #[serde(default)]
    pub dev_idp: DevIdpConfig,
}

/// `[issuer]`: the identity provider and how its tokens are checked.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// The issuer identifier, compared exactly with the tokens' `iss`;
    /// discovery is read from `<url>/.well-known/openid-configuration`.
    /// `https`, or `http` only on a loopback host.
    pub url: String,
    /// The accepted audiences (`audience = "x"` or `audience = ["x", "y"]`):
    /// a token's `aud` must contain one of them.
    #[serde(deserialize_with = "one_or_many")]
    pub audience: Vec<String>,
    /// The signature algorithms accepted (default RS256, ES256, EdDSA). HMAC
    /// (`HS*`) and `none` can never be configured.
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<SigningAlgorithm>,
    /// Clock skew allowed on `exp`, `nbf` and `iat` (default 30).
    #[serde(default = "default_leeway")]
    pub leeway_seconds: u64,
    /// The largest token accepted, checked before any parsing (default 8192).
    #[serde(default = "default_max_token_bytes")]
    pub max_token_bytes: usize,
    /// A token with an unknown `kid` refetches the JWKS at most once per this
    /// interval (default 60).
    #[serde(default = "default_refresh_min")]
    pub jwks_refresh_min_seconds: u64,
    /// How long a fetched JWKS is used before it is fetched again (default 3600).
    #[serde(default = "default_jwks_cache")]
    pub jwks_cache_seconds: u64,
    /// Timeout of each HTTP request for discovery and JWKS (default 5).
    #[serde(default = "default_http_timeout")]
    pub http_timeout_seconds: u64,
    /// Extra PEM CA certificates trusted for the issuer's HTTPS (besides the
    /// system's roots), e.g. the region's own PKI.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

/// `[claims]`: which claims hold the identity, and the role rules.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsConfig {
    /// The claim holding the subject (default `sub`).
    #[serde(default = "default_subject_claim")]
    pub subject: String,
    /// The claim holding the caller's organisations, HSA-ids or organisation
    /// numbers: an array, or one string separated by spaces or commas
    /// (default `org`).
    #[serde(default = "default_organisations_claim")]
    pub organisations: String,
    /// The claim holding an integration's id (default `client_id`); read only
    /// for tokens the rules make an integration.
    #[serde(default = "default_integration_claim")]
    pub integration: String,
    /// Roles every authenticated human (non-integration) token gets
    /// (default `["viewer"]`).
    #[serde(default = "default_roles")]
    pub default_roles: BTreeSet<Role>,
    /// `[[claims.role]]` rules: a token gets `role` when its `claim` matches.
    #[serde(default, rename = "role")]
    pub role_rules: Vec<RoleRule>,
}

impl Default for ClaimsConfig {
    fn default() -> Self {
        Self {
            subject: default_subject_claim(),
            organisations: default_organisations_claim(),
            integration: default_integration_claim(),
            default_roles: default_roles(),
            role_rules: Vec::new(),
        }
    }
}

/// One `[[claims.role]]` rule. `claim` is a top-level claim name, or a JSON
/// pointer into the claims when it starts with `/` (e.g.
/// `/realm_access/roles`). Exactly one of `equals` and `contains` is given.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRule {
    /// The claim to look at.
    pub claim: String,
    /// Matches a string claim equal to this, or an array with an element
    /// equal to it (numbers and booleans compare by their JSON text).
    #[serde(default)]
    pub equals: Option<String>,
    /// Matches an array claim with this element, or a string claim that has
    /// this among its space-separated words (e.g. `scope`).
    #[serde(default)]
    pub contains: Option<String>,
    /// The role the rule grants.
    pub role: Role,
}

impl RoleRule {
    /// The rule's condition, once validated.
    pub fn condition(&self) -> Option<RuleCondition<'_>> {
        match (&self.equals, &self.contains) {
            (Some(value), None) => Some(RuleCondition::Equals(value)),
            (None, Some(value)) => Some(RuleCondition::Contains(value)),
            _ => None,
        }
    }
}

/// How a [`RoleRule`] matches its claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleCondition<'a> {
    /// `equals = "..."`.
    Equals(&'a str),
    /// `contains = "..."`.
    Contains(&'a str),
}

/// One `[[route]]` rule of the policy.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteRule {
    /// A path prefix matched on whole segments (`/api/v1/units` matches
    /// `/api/v1/units` and `/api/v1/units/x`, never `/api/v1/unitsx`); a
    /// segment `*` matches any one segment (`/api/v1/orders/*/approval`).
    pub prefix: String,
    /// The methods the rule decides.
    pub methods: Vec<HttpMethod>,
    /// The roles admitted: one of them suffices.
    pub roles: BTreeSet<Role>,
}

/// An HTTP method named in a route rule (the standard ones, upper case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct HttpMethod(http::Method);

impl HttpMethod {
    const KNOWN: [http::Method; 7] = [
        http::Method::GET,
        http::Method::HEAD,
        http::Method::POST,
        http::Method::PUT,
        http::Method::PATCH,
        http::Method::DELETE,
        http::Method::OPTIONS,
    ];

    /// The method.
    pub fn method(&self) -> &http::Method {
        &self.0
    }

    /// The method's name.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl TryFrom<String> for HttpMethod {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        match Self::KNOWN.iter().find(|m| m.as_str() == value) {
            Some(method) => Ok(Self(method.clone())),
            None => {
                let names: Vec<&str> = Self::KNOWN.iter().map(|m| m.as_str()).collect();
                Err(format!(
                    "route methods: {value:?} is not a method (one of: {})",
                    names.join(", ")
                ))
            }
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `[rate_limit]`: what each integration may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Sustained requests per second per integration (default 20).
    #[serde(default = "default_rps")]
    pub requests_per_second: NonZeroU32,
    /// Requests an idle integration may send at once (default 40).
    #[serde(default = "default_burst")]
    pub burst: NonZeroU32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            requests_per_second: default_rps(),
            burst: default_burst(),
        }
    }
}

/// `[dev_idp]`: the built-in development IdP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevIdpConfig {
    /// `true` or `false` to say so explicitly; left out it is on when the
    /// host listens on a loopback address and off otherwise. It can never
    /// run on another address (see [`check_dev_idp_allowed`](crate::check_dev_idp_allowed)).
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// A signature algorithm that may be put on the allow-list: the asymmetric
/// ones only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// Ed25519.
    EdDSA,
}

impl SigningAlgorithm {
    /// Every algorithm that can be allowed.
    pub const ALL: [SigningAlgorithm; 9] = [
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::EdDSA,
    ];

    /// The JOSE name (`RS256`, `EdDSA`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::EdDSA => "EdDSA",
        }
    }

    /// Looks a JOSE `alg` name up (exact, case-sensitive as JOSE is).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.name() == name)
    }

    pub(crate) fn to_jwt(self) -> jsonwebtoken::Algorithm {
        use jsonwebtoken::Algorithm as A;
        match self {
            Self::RS256 => A::RS256,
            Self::RS384 => A::RS384,
            Self::RS512 => A::RS512,
            Self::PS256 => A::PS256,
            Self::PS384 => A::PS384,
            Self::PS512 => A::PS512,
            Self::ES256 => A::ES256,
            Self::ES384 => A::ES384,
            Self::EdDSA => A::EdDSA,
        }
    }
}

impl fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<String> for SigningAlgorithm {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        if let Some(alg) = Self::from_name(&value) {
            return Ok(alg);
        }
        let why = if value.eq_ignore_ascii_case("none") {
            "unsigned tokens are never accepted".to_string()
        } else if value.to_ascii_uppercase().starts_with("HS") {
            "HMAC algorithms need a shared secret and are never accepted from an OIDC issuer"
                .to_string()
        } else {
            let names: Vec<&str> = Self::ALL.iter().map(|a| a.name()).collect();
            format!("not a supported algorithm (one of: {})", names.join(", "))
        };
        Err(format!(
            "issuer.algorithms: {value:?} is not allowed: {why}"
        ))
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file could not be read.
    // `source` is the error's cause, which reporters print after this
    // message; repeating it here would print it twice.
    #[error("cannot read gateway config {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML is invalid or does not fit the schema; the message names the
    /// field (and its line).
    #[error("invalid gateway config: {0}")]
    Parse(#[from] toml::de::Error),
    /// A field has a value the gateway does not accept.
    #[error("invalid gateway config: {field}: {reason}")]
    Invalid {
        /// The field, as a TOML path (e.g. `issuer.url`, `route[2].prefix`).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

impl GatewayConfig {
    /// Reads, parses and validates a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml_str(&text)
    }

    /// Parses and validates a configuration.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what the schema alone cannot: URLs, limits, rules.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.issuer.validate()?;
        self.claims.validate()?;
        for (i, path) in self.public_paths.iter().enumerate() {
            let field = format!("public_paths[{i}]");
            let base = path.strip_suffix("/...").unwrap_or(path);
            if base.is_empty() || base == "/" {
                return Err(invalid(
                    field,
                    "would make every path public; list the public paths one by one",
                ));
            }
            check_path(&field, base)?;
        }
        let mut decided: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (i, rule) in self.routes.iter().enumerate() {
            check_path(&format!("route[{i}].prefix"), &rule.prefix)?;
            if crate::policy::has_partial_wildcard(&rule.prefix) {
                return Err(invalid(
                    format!("route[{i}].prefix"),
                    "`*` stands only for a whole segment (`/a/*/b`)",
                ));
            }
            if rule.methods.is_empty() {
                return Err(invalid(
                    format!("route[{i}].methods"),
                    "list at least one method",
                ));
            }
            if rule.roles.is_empty() {
                return Err(invalid(
                    format!("route[{i}].roles"),
                    "list at least one role (a route nobody may use needs no rule: \
                     everything without a rule is denied)",
                ));
            }
            let prefix = crate::policy::normalise_prefix(&rule.prefix).to_string();
            for method in &rule.methods {
                let key = (prefix.clone(), method.as_str().to_string());
                if let Some(first) = decided.insert(key, i) {
                    return Err(invalid(
                        format!("route[{i}]"),
                        format!(
                            "{method} {} is already decided by route[{first}]",
                            rule.prefix
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl IssuerConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        check_issuer_url("issuer.url", &self.url)?;
        if self.audience.is_empty() || self.audience.iter().any(|a| a.trim().is_empty()) {
            return Err(invalid(
                "issuer.audience",
                "give one audience or several, none empty",
            ));
        }
        if self.algorithms.is_empty() {
            return Err(invalid("issuer.algorithms", "allow at least one algorithm"));
        }
        if self.leeway_seconds > 300 {
            return Err(invalid(
                "issuer.leeway_seconds",
                "at most 300: clocks that far apart need fixing, not tolerating",
            ));
        }
        if !(512..=65_536).contains(&self.max_token_bytes) {
            return Err(invalid("issuer.max_token_bytes", "between 512 and 65536"));
        }
        if self.jwks_refresh_min_seconds == 0 {
            return Err(invalid(
                "issuer.jwks_refresh_min_seconds",
                "at least 1, or every token with an unknown kid would hit the IdP",
            ));
        }
        if self.jwks_cache_seconds < self.jwks_refresh_min_seconds {
            return Err(invalid(
                "issuer.jwks_cache_seconds",
                "at least issuer.jwks_refresh_min_seconds",
            ));
        }
        if !(1..=60).contains(&self.http_timeout_seconds) {
            return Err(invalid("issuer.http_timeout_seconds", "between 1 and 60"));
        }
        Ok(())
    }
}

impl ClaimsConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        for (field, claim) in [
            ("claims.subject", &self.subject),
            ("claims.organisations", &self.organisations),
            ("claims.integration", &self.integration),
        ] {
            check_claim_name(field, claim)?;
        }
        if self.default_roles.contains(&Role::Integration) {
            return Err(invalid(
                "claims.default_roles",
                "`integration` is given by a rule, never by default",
            ));
        }
        for (i, rule) in self.role_rules.iter().enumerate() {
            check_claim_name(&format!("claims.role[{i}].claim"), &rule.claim)?;
            match rule.condition() {
                Some(RuleCondition::Equals(v) | RuleCondition::Contains(v)) if !v.is_empty() => {}
                Some(_) => {
                    return Err(invalid(
                        format!("claims.role[{i}]"),
                        "the value to match is empty",
                    ));
                }
                None => {
                    return Err(invalid(
                        format!("claims.role[{i}]"),
                        "give exactly one of `equals` and `contains`",
                    ));
                }
            }
        }
        Ok(())
    }
}

fn check_claim_name(field: &str, claim: &str) -> Result<(), ConfigError> {
    if claim.is_empty() || claim == "/" {
        return Err(invalid(field, "name a claim"));
    }
    Ok(())
}

fn check_path(field: &str, path: &str) -> Result<(), ConfigError> {
    if !path.starts_with('/') {
        return Err(invalid(field, format!("{path:?} must start with '/'")));
    }
    if !crate::policy::is_canonical_path(path) {
        return Err(invalid(
            field,
            format!("{path:?} must not have empty, '.' or '..' segments or encoded separators"),
        ));
    }
    Ok(())
}

/// Checks an issuer URL.
fn check_issuer_url(field: &str, url: &str) -> Result<(), ConfigError> {
    match url_problem(url, false) {
        Some(reason) => Err(invalid(field, reason)),
        None => Ok(()),
    }
}

/// What is wrong with an issuer or JWKS URL, if anything: it must be
/// `https`, or `http` on a loopback host, without credentials or fragment,
/// and (unless `allow_query`) without query.
pub(crate) fn url_problem(url: &str, allow_query: bool) -> Option<String> {
    let parsed = match reqwest::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(e) => return Some(format!("{url:?}: {e}")),
    };
    if parsed.fragment().is_some() || (!allow_query && parsed.query().is_some()) {
        return Some(format!("{url:?}: no query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Some(format!("{url:?}: no credentials in the URL"));
    }
    match parsed.scheme() {
        "https" => None,
        "http" if is_loopback_url(&parsed) => None,
        "http" => Some(format!(
            "{url:?}: plain http only on a loopback host (localhost, 127.0.0.0/8, [::1]); use https"
        )),
        other => Some(format!("{url:?}: scheme {other:?}; use https")),
    }
}

/// Whether a URL's host is loopback.
fn is_loopback_url(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    match OneOrMany::deserialize(deserializer) {
        Ok(OneOrMany::One(one)) => Ok(vec![one]),
        Ok(OneOrMany::Many(many)) => Ok(many),
        Err(_) => Err(serde::de::Error::custom(
            "issuer.audience: a string or an array of strings",
        )),
    }
}

fn default_algorithms() -> Vec<SigningAlgorithm> {
    vec![
        SigningAlgorithm::RS256,
        SigningAlgorithm::ES256,
        SigningAlgorithm::EdDSA,
    ]
}
fn default_leeway() -> u64 {
    30
}
fn default_max_token_bytes() -> usize {
    8192
}
fn default_refresh_min() -> u64 {
    60
}
fn default_jwks_cache() -> u64 {
    3600
}
fn default_http_timeout() -> u64 {
    5
}
fn default_subject_claim() -> String {
    "sub".into()
}
fn default_organisations_claim() -> String {
    "org".into()
}
fn default_integration_claim() -> String {
    "client_id".into()
}
fn default_roles() -> BTreeSet<Role> {
    BTreeSet::from([Role::Viewer])
}
fn default_rps() -> NonZeroU32 {
    NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN)
}
fn default_burst() -> NonZeroU32 {
    NonZeroU32::new(40).unwrap_or(NonZeroU32::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        [issuer]
        url = "https://idp.example.se/realms/mdm"
        audience = "mdm-api"
    "#;

    fn parse(text: &str) -> Result<GatewayConfig, ConfigError> {
        GatewayConfig::from_toml_str(text)
    }

    fn error_of(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn defaults_fill_a_minimal_config() {
        let config = parse(MINIMAL).unwrap();
        assert_eq!(config.issuer.audience, ["mdm-api"]);
        assert_eq!(
            config.issuer.algorithms,
            [
                SigningAlgorithm::RS256,
                SigningAlgorithm::ES256,
                SigningAlgorithm::EdDSA
            ]
        );
        assert_eq!(config.issuer.leeway_seconds, 30);
        assert_eq!(config.issuer.max_token_bytes, 8192);
        assert_eq!(config.issuer.jwks_refresh_min_seconds, 60);
        assert_eq!(config.issuer.jwks_cache_seconds, 3600);
        assert_eq!(config.claims.subject, "sub");
        assert_eq!(config.claims.organisations, "org");
        assert_eq!(config.claims.integration, "client_id");
        assert_eq!(config.claims.default_roles, BTreeSet::from([Role::Viewer]));
        assert!(config.routes.is_empty(), "no rules: everything is denied");
        assert_eq!(config.dev_idp.enabled, None);
    }

    #[test]
    fn the_platform_config_file_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gateway.toml");
        let config = GatewayConfig::load(&path).unwrap();
        assert!(!config.routes.is_empty());
        assert!(config.public_paths.iter().any(|p| p == "/healthz"));
    }

    #[test]
    fn audience_may_be_a_list() {
        let config = parse(&MINIMAL.replace(r#""mdm-api""#, r#"["a", "b"]"#)).unwrap();
        assert_eq!(config.issuer.audience, ["a", "b"]);
    }

    #[test]
    fn rejects_each_bad_value_naming_the_field() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "unknown field",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\nsecret = 1\n",
                "secret",
            ),
            ("missing url", "[issuer]\naudience = \"a\"\n", "url"),
            (
                "hmac algorithm",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\nalgorithms = [\"HS256\"]\n",
                "issuer.algorithms",
            ),
            (
                "none algorithm",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\nalgorithms = [\"none\"]\n",
                "issuer.algorithms",
            ),
            (
                "no algorithms",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\nalgorithms = []\n",
                "issuer.algorithms",
            ),
            (
                "plain http remote issuer",
                "[issuer]\nurl = \"http://idp.example.se\"\naudience = \"a\"\n",
                "issuer.url",
            ),
            (
                "not a url",
                "[issuer]\nurl = \"idp\"\naudience = \"a\"\n",
                "issuer.url",
            ),
            (
                "empty audience",
                "[issuer]\nurl = \"https://i\"\naudience = []\n",
                "issuer.audience",
            ),
            (
                "zero refresh",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\njwks_refresh_min_seconds = 0\n",
                "issuer.jwks_refresh_min_seconds",
            ),
            (
                "tiny token limit",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\nmax_token_bytes = 10\n",
                "issuer.max_token_bytes",
            ),
            (
                "unknown role",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\n[claims]\ndefault_roles = [\"admin\"]\n",
                "admin",
            ),
            (
                "integration by default",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\n[claims]\ndefault_roles = [\"integration\"]\n",
                "claims.default_roles",
            ),
            (
                "rule with both conditions",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\n[[claims.role]]\nclaim = \"roles\"\nequals = \"x\"\ncontains = \"x\"\nrole = \"producer\"\n",
                "claims.role[0]",
            ),
            (
                "rule with no condition",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\n[[claims.role]]\nclaim = \"roles\"\nrole = \"producer\"\n",
                "claims.role[0]",
            ),
            (
                "relative prefix",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\n[[route]]\nprefix = \"api\"\nmethods = [\"GET\"]\nroles = [\"viewer\"]\n",
                "route[0].prefix",
            ),
            (
                "dot segment prefix",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\n[[route]]\nprefix = \"/api/../x\"\nmethods = [\"GET\"]\nroles = [\"viewer\"]\n",
                "route[0].prefix",
            ),
            (
                "partial wildcard",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\n[[route]]\nprefix = \"/api/v*\"\nmethods = [\"GET\"]\nroles = [\"viewer\"]\n",
                "route[0].prefix",
            ),
            (
                "unknown method",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\n[[route]]\nprefix = \"/api\"\nmethods = [\"FETCH\"]\nroles = [\"viewer\"]\n",
                "FETCH",
            ),
            (
                "no roles",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\n[[route]]\nprefix = \"/api\"\nmethods = [\"GET\"]\nroles = []\n",
                "route[0].roles",
            ),
            (
                "duplicate rule",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\n[[route]]\nprefix = \"/api\"\nmethods = [\"GET\"]\nroles = [\"viewer\"]\n[[route]]\nprefix = \"/api/\"\nmethods = [\"GET\"]\nroles = [\"producer\"]\n",
                "route[1]",
            ),
            (
                "zero rate",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\n[rate_limit]\nrequests_per_second = 0\n",
                "requests_per_second",
            ),
            (
                "dev idp typo",
                "[issuer]\nurl = \"https://i\"\naudience = \"a\"\n[dev_idp]\nenable = true\n",
                "enable",
            ),
        ];
        for (name, text, needle) in cases {
            let error = error_of(text);
            assert!(
                error.contains(needle),
                "{name}: error should name {needle:?}: {error}"
            );
        }
    }

    #[test]
    fn loopback_http_issuer_is_allowed_for_development() {
        for url in [
            "http://127.0.0.1:3000/dev-idp",
            "http://localhost:8080",
            "http://[::1]:3000/dev-idp",
        ] {
            check_issuer_url("issuer.url", url).unwrap();
        }
    }
}
