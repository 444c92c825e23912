//! The development IdP: a local issuer for demos and tests, never for a
//! reachable address.
//!
//! It keeps one ES256 (P-256) signing key under
//! `<state>/dev-idp/signing-key.pem` (PKCS#8 PEM, mode 0600, created on first
//! use and reloaded afterwards, so tokens survive a restart), publishes the
//! discovery document and JWKS for the issuer `http://<listen>/dev-idp`
//! (the host serves them at [`DEV_IDP_DISCOVERY_PATH`] and
//! [`DEV_IDP_JWKS_PATH`]), hands its keys to the authenticator in-process
//! (it is a [`KeySource`]) and mints tokens for demo users per role, with
//! the claims the configured `[claims]` rules map to that role.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::Generate;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use serde_json::{Map, Value, json};

use crate::config::{ClaimsConfig, DevIdpConfig, GatewayConfig, RoleRule, SigningAlgorithm};
use crate::keys::{KeySource, KeySourceError};
use crate::role::Role;

/// The path under which the host serves the development IdP.
pub const DEV_IDP_PATH: &str = "/dev-idp";
/// The discovery document's path.
pub const DEV_IDP_DISCOVERY_PATH: &str = "/dev-idp/.well-known/openid-configuration";
/// The JWKS's path.
pub const DEV_IDP_JWKS_PATH: &str = "/dev-idp/jwks.json";
/// The signing key's file, relative to the host's state directory.
pub const DEV_IDP_KEY_FILE: &str = "dev-idp/signing-key.pem";
/// The organisation demo users act for unless told otherwise (Region
/// Stockholm's care provider HSA-id).
pub const DEMO_ORGANISATION: &str = "SE2321000016-0001";
/// The demo integration's id (`client_id`) and subject.
pub const DEMO_INTEGRATION: &str = "demo-integration";

/// The development IdP cannot start or cannot mint a token.
#[derive(Debug, thiserror::Error)]
pub enum DevIdpError {
    /// The host listens on an address other than loopback, where anyone
    /// could mint themselves any role.
    #[error("{}", not_loopback_message(*listen, *explicitly_enabled))]
    NotLoopback {
        /// The host's listen address.
        listen: SocketAddr,
        /// Whether `[dev_idp] enabled = true` asked for it.
        explicitly_enabled: bool,
    },
    /// The signing key could not be read, created or used.
    #[error("dev IdP signing key {path}: {reason}")]
    Key {
        /// The key file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// `issuer.algorithms` does not allow ES256, which the dev IdP signs with.
    #[error("the dev IdP signs with ES256, which issuer.algorithms does not allow")]
    AlgorithmNotAllowed,
    /// No `[[claims.role]]` rule grants the role (and it is not a default
    /// role), so no token can carry it.
    #[error("no [[claims.role]] rule grants the role {0}, so the dev IdP cannot mint it")]
    RoleNotMapped(Role),
    /// Signing failed.
    #[error("signing a dev IdP token failed: {0}")]
    Sign(String),
}

fn not_loopback_message(listen: SocketAddr, explicitly_enabled: bool) -> String {
    if explicitly_enabled {
        format!(
            "the dev IdP is enabled but the host listens on {listen}, which is not loopback: \
             anyone reaching it could mint any role; listen on 127.0.0.1 or remove \
             `[dev_idp] enabled = true`"
        )
    } else {
        format!("the dev IdP only runs when the host listens on loopback, not on {listen}")
    }
}

/// Whether the development IdP may run for a host listening on `listen`:
/// `Ok` on a loopback address. On any other address it is refused, whether
/// or not `explicitly_enabled` (then the error says that the explicit
/// `enabled = true` must go).
pub fn check_dev_idp_allowed(
    listen: SocketAddr,
    explicitly_enabled: bool,
) -> Result<(), DevIdpError> {
    if listen.ip().is_loopback() {
        Ok(())
    } else {
        Err(DevIdpError::NotLoopback {
            listen,
            explicitly_enabled,
        })
    }
}

impl DevIdpConfig {
    /// Whether the dev IdP runs for a host listening on `listen`: on
    /// loopback unless `enabled = false`; elsewhere never, and
    /// `enabled = true` there is an error (fail start-up).
    pub fn should_run(&self, listen: SocketAddr) -> Result<bool, DevIdpError> {
        match (listen.ip().is_loopback(), self.enabled) {
            (true, enabled) => Ok(enabled.unwrap_or(true)),
            (false, Some(true)) => check_dev_idp_allowed(listen, true).map(|()| false),
            (false, _) => Ok(false),
        }
    }
}

/// The development IdP. `Send + Sync`; share it in an `Arc`.
pub struct DevIdp {
    issuer: String,
    audience: String,
    key_id: String,
    key_path: PathBuf,
    encoding_key: EncodingKey,
    jwks: JwkSet,
    claims: ClaimsConfig,
}

impl std::fmt::Debug for DevIdp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevIdp")
            .field("issuer", &self.issuer)
            .field("key_id", &self.key_id)
            .field("key_path", &self.key_path)
            .finish_non_exhaustive()
    }
}

static JTI_COUNTER: AtomicU64 = AtomicU64::new(0);

impl DevIdp {
    /// Opens the dev IdP of a host listening on `listen` (the address
    /// actually bound), loading or creating its key under `state_dir`.
    /// Refused unless `listen` is loopback ([`check_dev_idp_allowed`]).
    pub fn open(
        state_dir: &Path,
        listen: SocketAddr,
        config: &GatewayConfig,
    ) -> Result<Self, DevIdpError> {
        check_dev_idp_allowed(listen, config.dev_idp.enabled == Some(true))?;
        if !config.issuer.algorithms.contains(&SigningAlgorithm::ES256) {
            return Err(DevIdpError::AlgorithmNotAllowed);
        }
        let key_path = state_dir.join(DEV_IDP_KEY_FILE);
        let key_error = |reason: String| DevIdpError::Key {
            path: key_path.clone(),
            reason,
        };
        let pem = load_or_create_key(&key_path).map_err(key_error)?;
        let encoding_key = EncodingKey::from_ec_pem(pem.as_bytes())
            .map_err(|e| key_error(format!("not a usable EC key: {e}")))?;
        let mut jwk = Jwk::from_encoding_key(&encoding_key, Algorithm::ES256)
            .map_err(|e| key_error(format!("cannot publish the key: {e}")))?;
        let key_id = jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| key_error(format!("cannot compute the key id: {e}")))?;
        jwk.common.key_id = Some(key_id.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        Ok(Self {
            issuer: format!("http://{listen}{DEV_IDP_PATH}"),
            audience: config.issuer.audience.first().cloned().unwrap_or_default(),
            key_id,
            key_path,
            encoding_key,
            jwks: JwkSet { keys: vec![jwk] },
            claims: config.claims.clone(),
        })
    }

    /// The issuer identifier, `http://<listen>/dev-idp`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The signing key's id (its RFC 7638 thumbprint).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Where the signing key is kept.
    pub fn key_path(&self) -> &Path {
        &self.key_path
    }

    /// The published key set.
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }

    /// The JWKS as served at [`DEV_IDP_JWKS_PATH`].
    pub fn jwks_json(&self) -> String {
        serde_json::to_string(&self.jwks).unwrap_or_else(|_| r#"{"keys":[]}"#.to_string())
    }

    /// The OpenID discovery document as served at [`DEV_IDP_DISCOVERY_PATH`].
    pub fn discovery_json(&self) -> String {
        json!({
            "issuer": self.issuer,
            "jwks_uri": format!("{}/jwks.json", self.issuer),
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
        })
        .to_string()
    }

    /// The demo user for a role: `demo-<role>`, or [`DEMO_INTEGRATION`].
    pub fn demo_subject(role: Role) -> String {
        match role {
            Role::Integration => DEMO_INTEGRATION.to_string(),
            role => format!("demo-{role}"),
        }
    }

    /// Mints an access token for the demo user of `role`, acting for `org`
    /// (default [`DEMO_ORGANISATION`]), valid for `ttl`: `iss`, `aud` (the
    /// first configured audience), `sub`, `exp`, `nbf`, `iat`, `jti`, the
    /// organisations claim, and the claims the configured rules map to
    /// `role` (plus `client_id` for the integration).
    pub fn mint(
        &self,
        role: Role,
        org: Option<&str>,
        ttl: Duration,
    ) -> Result<String, DevIdpError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let iat = now.as_secs();
        let jti = format!(
            "{:x}-{:x}",
            now.as_nanos(),
            JTI_COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut claims = json!({
            "iss": self.issuer,
            "aud": self.audience,
            "sub": Self::demo_subject(role),
            "iat": iat,
            "nbf": iat,
            "exp": iat + ttl.as_secs().max(1),
            "jti": jti,
        });
        *slot(&mut claims, &self.claims.organisations) = json!([org.unwrap_or(DEMO_ORGANISATION)]);
        let by_default = role != Role::Integration && self.claims.default_roles.contains(&role);
        if !by_default {
            let rule = self
                .claims
                .role_rules
                .iter()
                .find(|rule| rule.role == role)
                .ok_or(DevIdpError::RoleNotMapped(role))?;
            apply_rule(&mut claims, rule);
        }
        if role == Role::Integration {
            *slot(&mut claims, &self.claims.integration) = json!(DEMO_INTEGRATION);
        }
        self.sign(&claims)
    }

    /// Signs exactly `claims` with the dev IdP's key (for tests that need
    /// unusual tokens).
    pub fn sign(&self, claims: &Value) -> Result<String, DevIdpError> {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("at+jwt".to_string());
        header.kid = Some(self.key_id.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding_key)
            .map_err(|e| DevIdpError::Sign(e.to_string()))
    }
}

#[async_trait]
impl KeySource for DevIdp {
    async fn fetch(&self) -> Result<JwkSet, KeySourceError> {
        Ok(self.jwks.clone())
    }
}

/// Makes `claims` satisfy `rule`: sets the value for `equals`, adds the
/// word or element for `contains` (a space-separated string for `scope`,
/// an array otherwise).
fn apply_rule(claims: &mut Value, rule: &RoleRule) {
    let is_scope = rule.claim.rsplit('/').next() == Some("scope");
    let target = slot(claims, &rule.claim);
    match (&rule.equals, &rule.contains) {
        (Some(value), _) => *target = json!(value),
        (None, Some(value)) => match target {
            Value::String(words) if !words.is_empty() => {
                words.push(' ');
                words.push_str(value);
            }
            Value::Array(items) => items.push(json!(value)),
            _ if is_scope => *target = json!(value),
            _ => *target = json!([value]),
        },
        (None, None) => {}
    }
}

/// The place for a claim (a name, or a JSON pointer), creating objects on
/// the way.
fn slot<'a>(claims: &'a mut Value, claim: &str) -> &'a mut Value {
    let segments: Vec<String> = match claim.strip_prefix('/') {
        Some(pointer) => pointer
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect(),
        None => vec![claim.to_string()],
    };
    let mut current = claims;
    for segment in segments {
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        let Value::Object(map) = current else {
            unreachable!("made an object above");
        };
        current = map.entry(segment).or_insert(Value::Null);
    }
    current
}

/// Reads the key file, or creates it (0600, in a 0700 directory) if absent.
/// Creation is exclusive: when two processes race, both end up with the
/// one key that was linked into place first.
fn load_or_create_key(path: &Path) -> Result<String, String> {
    let dir = path
        .parent()
        .ok_or_else(|| "the key path has no directory".to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    restrict(dir, 0o700)?;
    match std::fs::read_to_string(path) {
        Ok(pem) => return check_key(path, pem),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot read: {e}")),
    }
    let key = p256::SecretKey::generate();
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format!("cannot encode a new key: {e}"))?;
    let temporary = dir.join(format!(".signing-key.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&temporary);
    write_private(&temporary, pem.as_bytes())?;
    let linked = std::fs::hard_link(&temporary, path);
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => {
            tracing::info!(path = %path.display(), "dev IdP: created a new signing key");
            Ok(pem.to_string())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let pem = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
            check_key(path, pem)
        }
        Err(e) => Err(format!("cannot store the new key: {e}")),
    }
}

fn check_key(path: &Path, pem: String) -> Result<String, String> {
    p256::SecretKey::from_pkcs8_pem(&pem)
        .map_err(|e| format!("not a PKCS#8 P-256 key ({e}); delete it to get a new one"))?;
    restrict(path, 0o600)?;
    Ok(pem)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Takes group and other permissions away (unix).
#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let metadata =
        std::fs::metadata(path).map_err(|e| format!("cannot stat {}: {e}", path.display()))?;
    if metadata.permissions().mode() & 0o777 != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| format!("cannot restrict {}: {e}", path.display()))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> Result<(), String> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_applied_as_their_claims_expect() {
        let mut claims = json!({});
        let rule = |claim: &str, equals: Option<&str>, contains: Option<&str>| RoleRule {
            claim: claim.into(),
            equals: equals.map(Into::into),
            contains: contains.map(Into::into),
            role: Role::Producer,
        };
        apply_rule(&mut claims, &rule("scope", None, Some("a")));
        apply_rule(&mut claims, &rule("scope", None, Some("b")));
        apply_rule(&mut claims, &rule("roles", None, Some("x")));
        apply_rule(&mut claims, &rule("/realm_access/roles", None, Some("y")));
        apply_rule(&mut claims, &rule("kind", Some("staff"), None));
        assert_eq!(
            claims,
            json!({
                "scope": "a b",
                "roles": ["x"],
                "realm_access": {"roles": ["y"]},
                "kind": "staff",
            })
        );
    }
}
