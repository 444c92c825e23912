//! Access-token validation: `Authorization: Bearer <JWT>` to an [`Identity`].
//!
//! Order of checks, each failing fast: header present and `Bearer`; size
//! (before any parsing); compact form and base64url; the JOSE header (`alg`
//! on the allow-list, no `crit`, `typ` of an access token); the key by `kid`
//! from the issuer's JWKS (never from the token itself: `jwk`, `jku`, `x5u`
//! and `x5c` headers are ignored) and that the key's type fits the `alg`;
//! the signature; then the claims `iss` (exact), `aud`, `exp` (required),
//! `nbf` and `iat` with leeway; then the claims-to-identity mapping.
//!
//! From the JWKS only signature keys are used: RSA of at least 2048 bits,
//! EC P-256/P-384, Ed25519; symmetric (`oct`) keys, keys with `use` other
//! than `sig` and keys without `kid` are skipped. When the issuer cannot be
//! reached, the keys fetched last stay in use.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderValue, StatusCode};
use serde_json::Value;

use crate::claims::identity_from_claims;
use crate::config::{ClaimsConfig, GatewayConfig, IssuerConfig, SigningAlgorithm};
use crate::dev_idp::DevIdp;
use crate::identity::Identity;
use crate::keys::{HttpKeySource, KeyCache, KeySource, KeySourceError, Lookup};

/// The realm named in `WWW-Authenticate`.
pub const REALM: &str = "mdm";

/// Why a request was not authenticated. The `Display` text is safe to return
/// in a 401 problem body: it never contains the token or key material.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The request has no `Authorization` header.
    #[error("this request needs an access token: send `Authorization: Bearer <token>`")]
    Missing,
    /// The `Authorization` header uses another scheme than `Bearer`.
    #[error("the Authorization header must use the Bearer scheme")]
    BadScheme,
    /// The token is larger than `issuer.max_token_bytes`.
    #[error("the access token is larger than {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// The token is not a compact JWS with a JSON header and payload.
    #[error("the access token is not a well-formed JWT: {0}")]
    Malformed(&'static str),
    /// The header's `typ` is neither `JWT` nor `at+jwt`.
    #[error("the token is not an access token (its typ is neither JWT nor at+jwt)")]
    WrongType,
    /// The header's `alg` is not on the allow-list (`none` and `HS*` never are).
    #[error("the token's signature algorithm is not accepted (accepted: {accepted})")]
    BadAlgorithm {
        /// The accepted algorithms, comma-separated.
        accepted: String,
    },
    /// The header has no `kid`, or the issuer publishes no key with it.
    #[error("the token is signed with a key the issuer does not publish (unknown kid)")]
    UnknownKey,
    /// The key named by `kid` cannot verify the header's `alg`.
    #[error("the token's key does not fit its signature algorithm")]
    KeyMismatch,
    /// The signature does not verify.
    #[error("the token's signature is invalid")]
    BadSignature,
    /// `exp` has passed (beyond the leeway).
    #[error("the access token has expired")]
    Expired,
    /// `nbf` or `iat` lies in the future (beyond the leeway).
    #[error("the access token is not valid yet")]
    NotYetValid,
    /// `iss` is missing or not the configured issuer.
    #[error("the access token was not issued by the accepted issuer")]
    WrongIssuer,
    /// `aud` is missing or names none of the configured audiences.
    #[error("the access token is not meant for this API (audience)")]
    WrongAudience,
    /// A required claim is missing (`exp`, the subject, an integration's id).
    #[error("the access token lacks the claim {0}")]
    MissingClaim(String),
    /// A claim has a type or value the gateway cannot use.
    #[error("the access token's claim {0} has a value the gateway cannot use")]
    InvalidClaim(String),
    /// The issuer's keys could not be fetched (HTTP 503, not 401).
    #[error("the identity provider's signing keys are unavailable; try again later")]
    JwksUnavailable(#[source] KeySourceError),
}

impl AuthError {
    /// A short, stable name for metrics and logs.
    pub fn reason(&self) -> &'static str {
        match self {
            AuthError::Missing => "missing",
            AuthError::BadScheme => "bad_scheme",
            AuthError::TooLarge { .. } => "too_large",
            AuthError::Malformed(_) => "malformed",
            AuthError::WrongType => "wrong_type",
            AuthError::BadAlgorithm { .. } => "bad_algorithm",
            AuthError::UnknownKey => "unknown_key",
            AuthError::KeyMismatch => "key_mismatch",
            AuthError::BadSignature => "bad_signature",
            AuthError::Expired => "expired",
            AuthError::NotYetValid => "not_yet_valid",
            AuthError::WrongIssuer => "wrong_issuer",
            AuthError::WrongAudience => "wrong_audience",
            AuthError::MissingClaim(_) => "missing_claim",
            AuthError::InvalidClaim(_) => "invalid_claim",
            AuthError::JwksUnavailable(_) => "jwks_unavailable",
        }
    }

    /// The HTTP status to answer with: 401, or 503 when the keys are
    /// unavailable (the client's token may well be fine).
    pub fn status(&self) -> StatusCode {
        match self {
            AuthError::JwksUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The `WWW-Authenticate` value for a 401 (RFC 6750), `None` for a 503.
    pub fn www_authenticate(&self) -> Option<HeaderValue> {
        let value = match self {
            AuthError::JwksUnavailable(_) => return None,
            AuthError::Missing => format!("Bearer realm=\"{REALM}\""),
            AuthError::BadScheme => format!("Bearer realm=\"{REALM}\", error=\"invalid_request\""),
            other => {
                let description: String = other
                    .to_string()
                    .chars()
                    .map(|c| match c {
                        '"' | '\\' => '\'',
                        c if c == ' ' || c.is_ascii_graphic() => c,
                        _ => '?',
                    })
                    .collect();
                format!(
                    "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{description}\""
                )
            }
        };
        HeaderValue::from_str(&value).ok()
    }
}

/// What the authenticator checks tokens against; usually from
/// [`IssuerConfig`] via [`AuthenticatorSettings::from_config`].
#[derive(Debug, Clone, PartialEq)]
pub struct AuthenticatorSettings {
    /// The exact `iss`.
    pub issuer: String,
    /// `aud` must contain one of these.
    pub audiences: Vec<String>,
    /// The allowed algorithms.
    pub algorithms: Vec<SigningAlgorithm>,
    /// Clock skew allowed on `exp`, `nbf`, `iat`.
    pub leeway: Duration,
    /// The largest token accepted.
    pub max_token_bytes: usize,
    /// An unknown `kid` refetches the JWKS at most once per this.
    pub jwks_refresh_min: Duration,
    /// How long a fetched JWKS is used.
    pub jwks_cache: Duration,
}

impl AuthenticatorSettings {
    /// The settings of an `[issuer]` table.
    pub fn from_config(issuer: &IssuerConfig) -> Self {
        Self {
            issuer: issuer.url.clone(),
            audiences: issuer.audience.clone(),
            algorithms: issuer.algorithms.clone(),
            leeway: Duration::from_secs(issuer.leeway_seconds),
            max_token_bytes: issuer.max_token_bytes,
            jwks_refresh_min: Duration::from_secs(issuer.jwks_refresh_min_seconds),
            jwks_cache: Duration::from_secs(issuer.jwks_cache_seconds),
        }
    }
}

/// Validates access tokens and maps them to identities. `Send + Sync`; share
/// one in an `Arc`: it holds the JWKS cache.
pub struct Authenticator {
    settings: AuthenticatorSettings,
    claims: ClaimsConfig,
    keys: KeyCache,
    verified: VerifiedTokens,
}

/// Tokens that passed every check, with the identity they gave, so that a
/// client sending the same token again is not charged a signature
/// verification each time (ES256/RS256 verification dominates the cost of
/// a request otherwise). An entry is used only until the token's `exp` (plus
/// the leeway) and at most [`VERIFIED_TTL`] after it was verified, so a key
/// the issuer withdraws stops being honoured within that time.
struct VerifiedTokens {
    entries: std::sync::Mutex<std::collections::HashMap<String, (Identity, tokio::time::Instant)>>,
}

/// How long a verified token is trusted without verifying it again.
pub const VERIFIED_TTL: Duration = Duration::from_secs(60);
/// Most tokens remembered; beyond it expired entries go, then all.
const VERIFIED_MAX: usize = 10_000;

impl VerifiedTokens {
    fn new() -> Self {
        Self {
            entries: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    fn get(&self, token: &str) -> Option<Identity> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (identity, until) = entries.get(token)?;
        (tokio::time::Instant::now() < *until).then(|| identity.clone())
    }

    fn insert(&self, token: &str, identity: &Identity, valid_for: Duration) {
        let until = tokio::time::Instant::now() + valid_for.min(VERIFIED_TTL);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= VERIFIED_MAX {
            let now = tokio::time::Instant::now();
            entries.retain(|_, (_, until)| *until > now);
            if entries.len() >= VERIFIED_MAX {
                entries.clear();
            }
        }
        entries.insert(token.to_string(), (identity.clone(), until));
    }
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// An authenticator with its settings, claim mapping and key source.
    pub fn new(
        settings: AuthenticatorSettings,
        claims: ClaimsConfig,
        source: Arc<dyn KeySource>,
    ) -> Self {
        // jsonwebtoken picks its crypto backend from its features; install
        // ours explicitly so a second backend enabled elsewhere in the build
        // cannot leave it without one. A second install is a harmless no-op.
        let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
            &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER,
        );
        let keys = KeyCache::new(source, settings.jwks_refresh_min, settings.jwks_cache);
        Self {
            settings,
            claims,
            keys,
            verified: VerifiedTokens::new(),
        }
    }

    /// The authenticator for the configured issuer, its keys fetched over
    /// HTTP (discovery, then `jwks_uri`).
    pub fn from_config(config: &GatewayConfig) -> Result<Self, KeySourceError> {
        let source = HttpKeySource::new(&config.issuer)?;
        Ok(Self::new(
            AuthenticatorSettings::from_config(&config.issuer),
            config.claims.clone(),
            Arc::new(source),
        ))
    }

    /// The authenticator for tokens of the development IdP instead of the
    /// configured issuer: its issuer and in-process keys, the configured
    /// audiences, algorithms, limits and claims.
    pub fn for_dev_idp(config: &GatewayConfig, idp: Arc<DevIdp>) -> Self {
        let mut settings = AuthenticatorSettings::from_config(&config.issuer);
        settings.issuer = idp.issuer().to_string();
        Self::new(settings, config.claims.clone(), idp)
    }

    /// What tokens are checked against.
    pub fn settings(&self) -> &AuthenticatorSettings {
        &self.settings
    }

    /// Fetches the issuer's keys now, e.g. at start-up to see that the IdP
    /// is reachable; returns how many usable keys it has.
    pub async fn refresh_keys(&self) -> Result<usize, KeySourceError> {
        self.keys.refresh().await
    }

    /// Authenticates a request by its `Authorization` header value.
    pub async fn authenticate(&self, authorization: Option<&str>) -> Result<Identity, AuthError> {
        let header = authorization.ok_or(AuthError::Missing)?;
        let max = self.settings.max_token_bytes;
        if header.len() > max + 64 {
            return Err(AuthError::TooLarge { max });
        }
        let header = header.trim();
        if header.is_empty() {
            return Err(AuthError::Missing);
        }
        let (scheme, token) = header.split_once([' ', '\t']).ok_or(AuthError::BadScheme)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(AuthError::BadScheme);
        }
        let token = token.trim_start_matches([' ', '\t']);
        if token.len() > max {
            return Err(AuthError::TooLarge { max });
        }
        if let Some(identity) = self.verified.get(token) {
            return Ok(identity);
        }
        let (identity, exp) = self.verify(token).await?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        let remaining = (exp + self.settings.leeway.as_secs_f64() - now).max(0.0);
        self.verified
            .insert(token, &identity, Duration::from_secs_f64(remaining));
        Ok(identity)
    }

    /// Every check of a token; returns its identity and its `exp`.
    async fn verify(&self, token: &str) -> Result<(Identity, f64), AuthError> {
        if token.is_empty() {
            return Err(AuthError::Malformed("the token is empty"));
        }
        if !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            return Err(AuthError::Malformed("characters outside base64url"));
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(AuthError::Malformed("not three dot-separated parts"));
        };
        let header = decode_object(header_b64)
            .ok_or(AuthError::Malformed("the header is not base64url JSON"))?;
        let alg = self.check_header(&header)?;
        let kid = header
            .get("kid")
            .and_then(Value::as_str)
            .ok_or(AuthError::UnknownKey)?;
        let key = match self.keys.get(kid).await {
            Lookup::Found(key) => key,
            Lookup::Unknown => return Err(AuthError::UnknownKey),
            Lookup::Unavailable(error) => return Err(AuthError::JwksUnavailable(error)),
        };
        if !key.accepts(alg) {
            return Err(AuthError::KeyMismatch);
        }
        if signature_b64.is_empty() {
            return Err(AuthError::BadSignature);
        }
        let message = &token[..header_b64.len() + 1 + payload_b64.len()];
        match jsonwebtoken::crypto::verify(
            signature_b64,
            message.as_bytes(),
            &key.key,
            alg.to_jwt(),
        ) {
            Ok(true) => {}
            Ok(false) => return Err(AuthError::BadSignature),
            Err(error) => {
                return Err(match error.kind() {
                    jsonwebtoken::errors::ErrorKind::Base64(_) => {
                        AuthError::Malformed("the signature is not base64url")
                    }
                    _ => AuthError::BadSignature,
                });
            }
        }
        let claims = decode_object(payload_b64)
            .ok_or(AuthError::Malformed("the payload is not base64url JSON"))?;
        self.check_claims(&claims)?;
        let exp = claims
            .get("exp")
            .and_then(Value::as_f64)
            .ok_or_else(|| AuthError::MissingClaim("exp".into()))?;
        Ok((identity_from_claims(&self.claims, &claims)?, exp))
    }

    fn check_header(&self, header: &Value) -> Result<SigningAlgorithm, AuthError> {
        let alg = header
            .get("alg")
            .and_then(Value::as_str)
            .and_then(SigningAlgorithm::from_name)
            .filter(|alg| self.settings.algorithms.contains(alg))
            .ok_or_else(|| AuthError::BadAlgorithm {
                accepted: self
                    .settings
                    .algorithms
                    .iter()
                    .map(|a| a.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        if header.get("crit").is_some() {
            return Err(AuthError::Malformed(
                "critical header extensions are not supported",
            ));
        }
        match header.get("typ") {
            None => {}
            Some(Value::String(typ)) if is_access_token_type(typ) => {}
            Some(_) => return Err(AuthError::WrongType),
        }
        Ok(alg)
    }

    fn check_claims(&self, claims: &Value) -> Result<(), AuthError> {
        match claims.get("iss") {
            Some(Value::String(iss)) if *iss == self.settings.issuer => {}
            _ => return Err(AuthError::WrongIssuer),
        }
        let audiences = &self.settings.audiences;
        let audience_ok = match claims.get("aud") {
            Some(Value::String(aud)) => audiences.contains(aud),
            Some(Value::Array(auds)) => auds
                .iter()
                .filter_map(Value::as_str)
                .any(|aud| audiences.iter().any(|a| a == aud)),
            _ => false,
        };
        if !audience_ok {
            return Err(AuthError::WrongAudience);
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        let leeway = self.settings.leeway.as_secs_f64();
        let exp = numeric_date(claims, "exp")?.ok_or(AuthError::MissingClaim("exp".into()))?;
        if now >= exp + leeway {
            return Err(AuthError::Expired);
        }
        for claim in ["nbf", "iat"] {
            if let Some(time) = numeric_date(claims, claim)?
                && time > now + leeway
            {
                return Err(AuthError::NotYetValid);
            }
        }
        Ok(())
    }
}

/// `JWT` (RFC 7519) or `at+jwt` (RFC 9068), with or without `application/`.
fn is_access_token_type(typ: &str) -> bool {
    let typ = typ.to_ascii_lowercase();
    let typ = typ.strip_prefix("application/").unwrap_or(&typ);
    typ == "jwt" || typ == "at+jwt"
}

/// A NumericDate claim: absent, or a finite number of seconds.
fn numeric_date(claims: &Value, claim: &str) -> Result<Option<f64>, AuthError> {
    match claims.get(claim) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(value) if value.is_finite() => Ok(Some(value)),
            _ => Err(AuthError::InvalidClaim(claim.to_string())),
        },
        Some(_) => Err(AuthError::InvalidClaim(claim.to_string())),
    }
}

fn decode_object(part: &str) -> Option<Value> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    value.is_object().then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_reason_and_a_safe_challenge() {
        let errors = [
            AuthError::Missing,
            AuthError::BadScheme,
            AuthError::TooLarge { max: 8192 },
            AuthError::Malformed("x"),
            AuthError::WrongType,
            AuthError::BadAlgorithm {
                accepted: "RS256".into(),
            },
            AuthError::UnknownKey,
            AuthError::KeyMismatch,
            AuthError::BadSignature,
            AuthError::Expired,
            AuthError::NotYetValid,
            AuthError::WrongIssuer,
            AuthError::WrongAudience,
            AuthError::MissingClaim("exp".into()),
            AuthError::InvalidClaim("org\"".into()),
        ];
        for error in &errors {
            assert_eq!(error.status(), StatusCode::UNAUTHORIZED);
            let challenge = error.www_authenticate().expect("a challenge");
            let challenge = challenge.to_str().unwrap();
            assert!(challenge.starts_with("Bearer realm=\"mdm\""), "{challenge}");
            assert_eq!(challenge.matches('"').count() % 2, 0, "{challenge}");
        }
        assert_eq!(
            AuthError::Missing.www_authenticate().unwrap(),
            "Bearer realm=\"mdm\""
        );
        let unavailable = AuthError::JwksUnavailable(KeySourceError::Backoff);
        assert_eq!(unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(unavailable.www_authenticate().is_none());
        assert_eq!(unavailable.reason(), "jwks_unavailable");
    }

    #[test]
    fn access_token_types() {
        for (typ, ok) in [
            ("JWT", true),
            ("jwt", true),
            ("at+jwt", true),
            ("application/at+JWT", true),
            ("dpop+jwt", false),
            ("JOSE", false),
        ] {
            assert_eq!(is_access_token_type(typ), ok, "{typ}");
        }
    }
}
