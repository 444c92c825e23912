//! Where signing keys come from ([`KeySource`]: the issuer over HTTP, or the
//! development IdP in-process) and the cache the authenticator keeps of them.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, KeyOperations, PublicKeyUse,
};
use tokio::time::Instant;

use crate::config::{IssuerConfig, SigningAlgorithm, url_problem};

/// The smallest RSA modulus a key may have to be used.
const MIN_RSA_BITS: usize = 2048;
/// The largest discovery document or JWKS read.
const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// A source of the issuer's current public keys.
#[async_trait]
pub trait KeySource: Send + Sync {
    /// Fetches the current key set.
    async fn fetch(&self) -> Result<JwkSet, KeySourceError>;
}

/// Keys could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum KeySourceError {
    /// The HTTP client could not be built (e.g. a bad `issuer.ca_file`).
    #[error("cannot set up the HTTP client for the issuer: {0}")]
    Client(String),
    /// A request failed: connection, timeout, or a status other than 200.
    #[error("GET {url} failed: {reason}")]
    Http {
        /// The URL requested.
        url: String,
        /// What happened.
        reason: String,
    },
    /// A document was not the JSON expected.
    #[error("{url} is not a valid {what}: {reason}")]
    Invalid {
        /// The URL it came from.
        url: String,
        /// Which document (`discovery document`, `JWKS`).
        what: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The last fetch failed moments ago and the next one is not due yet.
    #[error(
        "the last fetch of the issuer's keys failed; retrying after issuer.jwks_refresh_min_seconds"
    )]
    Backoff,
    /// The discovery document names another issuer than the one configured.
    #[error("the discovery document names issuer {found:?}, not the configured {expected:?}")]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The issuer in the document.
        found: String,
    },
}

/// The issuer's keys over HTTP: discovery document, then its `jwks_uri`.
/// The `jwks_uri` is remembered and discovered again only after a failure.
#[derive(Debug)]
pub struct HttpKeySource {
    client: reqwest::Client,
    issuer: String,
    discovery_url: String,
    jwks_uri: tokio::sync::Mutex<Option<String>>,
}

impl HttpKeySource {
    /// A source for `issuer.url`, with its timeout and extra CA certificates.
    pub fn new(issuer: &IssuerConfig) -> Result<Self, KeySourceError> {
        let timeout = Duration::from_secs(issuer.http_timeout_seconds);
        let mut builder = reqwest::Client::builder()
            .connect_timeout(timeout)
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("mdm-gateway/", env!("CARGO_PKG_VERSION")));
        if let Some(ca_file) = &issuer.ca_file {
            let pem = std::fs::read(ca_file).map_err(|e| {
                KeySourceError::Client(format!("cannot read {}: {e}", ca_file.display()))
            })?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| KeySourceError::Client(format!("{}: {e}", ca_file.display())))?;
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let client = builder
            .build()
            .map_err(|e| KeySourceError::Client(e.to_string()))?;
        Ok(Self {
            client,
            issuer: issuer.url.clone(),
            discovery_url: format!(
                "{}/.well-known/openid-configuration",
                issuer.url.trim_end_matches('/')
            ),
            jwks_uri: tokio::sync::Mutex::new(None),
        })
    }

    async fn get_json(
        &self,
        url: &str,
        what: &'static str,
    ) -> Result<serde_json::Value, KeySourceError> {
        let http = |reason: String| KeySourceError::Http {
            url: url.to_string(),
            reason,
        };
        let mut response = self
            .client
            .get(url)
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| http(e.to_string()))?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(http(format!("status {}", response.status())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| http(e.to_string()))? {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(http(format!("body over {MAX_DOCUMENT_BYTES} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| KeySourceError::Invalid {
            url: url.to_string(),
            what,
            reason: e.to_string(),
        })
    }

    async fn discover(&self) -> Result<String, KeySourceError> {
        let url = &self.discovery_url;
        let document = self.get_json(url, "discovery document").await?;
        let invalid = |reason: &str| KeySourceError::Invalid {
            url: url.clone(),
            what: "discovery document",
            reason: reason.to_string(),
        };
        let issuer = document
            .get("issuer")
            .and_then(|v| v.as_str())
            .ok_or_else(|| invalid("no `issuer`"))?;
        if issuer != self.issuer {
            return Err(KeySourceError::IssuerMismatch {
                expected: self.issuer.clone(),
                found: issuer.to_string(),
            });
        }
        let jwks_uri = document
            .get("jwks_uri")
            .and_then(|v| v.as_str())
            .ok_or_else(|| invalid("no `jwks_uri`"))?;
        if let Some(problem) = url_problem(jwks_uri, true) {
            return Err(invalid(&format!("jwks_uri {problem}")));
        }
        Ok(jwks_uri.to_string())
    }
}

#[async_trait]
impl KeySource for HttpKeySource {
    async fn fetch(&self) -> Result<JwkSet, KeySourceError> {
        let mut remembered = self.jwks_uri.lock().await;
        let jwks_uri = match remembered.clone() {
            Some(uri) => uri,
            None => self.discover().await?,
        };
        match self.get_json(&jwks_uri, "JWKS").await {
            Ok(document) => {
                *remembered = Some(jwks_uri.clone());
                parse_jwks(&jwks_uri, &document)
            }
            Err(error) => {
                // The issuer may have moved its keys: discover again next time.
                *remembered = None;
                Err(error)
            }
        }
    }
}

/// Reads a JWKS document key by key: one key the gateway cannot parse does
/// not take the others down with it.
pub(crate) fn parse_jwks(
    url: &str,
    document: &serde_json::Value,
) -> Result<JwkSet, KeySourceError> {
    let Some(keys) = document.get("keys").and_then(|k| k.as_array()) else {
        return Err(KeySourceError::Invalid {
            url: url.to_string(),
            what: "JWKS",
            reason: "no `keys` array".to_string(),
        });
    };
    let keys = keys
        .iter()
        .filter_map(|key| match serde_json::from_value::<Jwk>(key.clone()) {
            Ok(jwk) => Some(jwk),
            Err(error) => {
                tracing::warn!(%url, %error, "skipping a JWK that cannot be parsed");
                None
            }
        })
        .collect();
    Ok(JwkSet { keys })
}

/// The kind of a public key, which decides the algorithms it can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa,
    EcP256,
    EcP384,
    Ed25519,
}

impl KeyKind {
    /// Whether a key of this kind may verify `alg`: RSA keys only RS*/PS*,
    /// EC keys only ECDSA on their own curve, Ed25519 only EdDSA.
    pub(crate) fn fits(self, alg: SigningAlgorithm) -> bool {
        use SigningAlgorithm::*;
        match self {
            KeyKind::Rsa => matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512),
            KeyKind::EcP256 => alg == ES256,
            KeyKind::EcP384 => alg == ES384,
            KeyKind::Ed25519 => alg == EdDSA,
        }
    }
}

/// A usable verification key from the JWKS.
pub(crate) struct VerificationKey {
    pub(crate) key: DecodingKey,
    pub(crate) kind: KeyKind,
    /// The JWK's own `alg`, when it names one: then only that one.
    pub(crate) alg: Option<KeyAlgorithm>,
}

impl VerificationKey {
    /// Builds a key from a JWK, or says why it is not used.
    fn from_jwk(jwk: &Jwk) -> Result<Self, &'static str> {
        if let Some(usage) = &jwk.common.public_key_use
            && *usage != PublicKeyUse::Signature
        {
            return Err("not a signature key (`use`)");
        }
        if let Some(operations) = &jwk.common.key_operations
            && !operations.contains(&KeyOperations::Verify)
        {
            return Err("not a verification key (`key_ops`)");
        }
        let (key, kind) = match &jwk.algorithm {
            AlgorithmParameters::RSA(rsa) => {
                let modulus = URL_SAFE_NO_PAD
                    .decode(rsa.n.trim_end_matches('='))
                    .map_err(|_| "RSA modulus is not base64url")?;
                let significant = modulus.iter().skip_while(|b| **b == 0).count();
                if significant * 8 < MIN_RSA_BITS {
                    return Err("RSA key shorter than 2048 bits");
                }
                let key = DecodingKey::from_rsa_components(&rsa.n, &rsa.e)
                    .map_err(|_| "invalid RSA components")?;
                (key, KeyKind::Rsa)
            }
            AlgorithmParameters::EllipticCurve(ec) => {
                let kind = match ec.curve {
                    EllipticCurve::P256 => KeyKind::EcP256,
                    EllipticCurve::P384 => KeyKind::EcP384,
                    _ => return Err("unsupported EC curve"),
                };
                let key = DecodingKey::from_ec_components(&ec.x, &ec.y)
                    .map_err(|_| "invalid EC coordinates")?;
                (key, kind)
            }
            AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
                let key =
                    DecodingKey::from_ed_components(&okp.x).map_err(|_| "invalid Ed25519 key")?;
                (key, KeyKind::Ed25519)
            }
            AlgorithmParameters::OctetKey(_) => {
                return Err("symmetric keys are never used");
            }
            _ => return Err("unsupported key type"),
        };
        Ok(Self {
            key,
            kind,
            alg: jwk.common.key_algorithm,
        })
    }

    /// Whether this key may verify a token signed with `alg`.
    pub(crate) fn accepts(&self, alg: SigningAlgorithm) -> bool {
        self.kind.fits(alg) && self.alg.is_none_or(|own| own == alg.to_jwt().into())
    }
}

type KeyMap = HashMap<String, Arc<VerificationKey>>;

#[derive(Default)]
struct CacheState {
    keys: Arc<KeyMap>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
}

/// What a key lookup found.
pub(crate) enum Lookup {
    /// The key.
    Found(Arc<VerificationKey>),
    /// The key set holds no such `kid` (after a refetch, or when a refetch
    /// was not allowed yet).
    Unknown,
    /// No key set could be fetched at all.
    Unavailable(KeySourceError),
}

/// The JWKS cache: keys by `kid`, fetched when missing or older than
/// `max_age`, refetched for an unknown `kid` at most once per `refresh_min`,
/// one fetch at a time.
pub(crate) struct KeyCache {
    source: Arc<dyn KeySource>,
    refresh_min: Duration,
    max_age: Duration,
    state: RwLock<CacheState>,
    fetching: tokio::sync::Mutex<()>,
}

impl KeyCache {
    pub(crate) fn new(
        source: Arc<dyn KeySource>,
        refresh_min: Duration,
        max_age: Duration,
    ) -> Self {
        Self {
            source,
            refresh_min,
            max_age,
            state: RwLock::new(CacheState::default()),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    fn read<T>(&self, f: impl FnOnce(&CacheState) -> T) -> T {
        let state = self
            .state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&state)
    }

    fn is_fresh(&self, state: &CacheState, now: Instant) -> bool {
        state
            .fetched_at
            .is_some_and(|at| now.duration_since(at) < self.max_age)
    }

    fn may_fetch(&self, state: &CacheState, now: Instant) -> bool {
        state
            .last_attempt
            .is_none_or(|at| now.duration_since(at) >= self.refresh_min)
    }

    /// The key for `kid`.
    pub(crate) async fn get(&self, kid: &str) -> Lookup {
        let now = Instant::now();
        if let Some(key) = self.read(|s| {
            self.is_fresh(s, now)
                .then(|| s.keys.get(kid).cloned())
                .flatten()
        }) {
            return Lookup::Found(key);
        }
        let _one_fetch_at_a_time = self.fetching.lock().await;
        // Another request may have fetched while this one waited.
        let now = Instant::now();
        let (found, fresh, may_fetch, have_keys) = self.read(|s| {
            (
                s.keys.get(kid).cloned(),
                self.is_fresh(s, now),
                self.may_fetch(s, now),
                s.fetched_at.is_some(),
            )
        });
        if let Some(key) = found.as_ref().filter(|_| fresh) {
            return Lookup::Found(key.clone());
        }
        if !may_fetch {
            return match found {
                // Stale, but the last attempt to refresh failed recently.
                Some(key) => Lookup::Found(key),
                None if have_keys => Lookup::Unknown,
                None => Lookup::Unavailable(KeySourceError::Backoff),
            };
        }
        match self.fetch_now(now).await {
            Ok(keys) => match keys.get(kid) {
                Some(key) => Lookup::Found(key.clone()),
                None => Lookup::Unknown,
            },
            Err(error) => {
                tracing::warn!(%error, "fetching the issuer's keys failed");
                match found {
                    // Keep verifying with the keys we have while the IdP is away.
                    Some(key) => Lookup::Found(key),
                    None if have_keys => Lookup::Unknown,
                    None => Lookup::Unavailable(error),
                }
            }
        }
    }

    /// Fetches now (callers hold `fetching`), records the attempt and, on
    /// success, replaces the keys.
    async fn fetch_now(&self, now: Instant) -> Result<Arc<KeyMap>, KeySourceError> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .last_attempt = Some(now);
        let set = self.source.fetch().await?;
        let mut keys = KeyMap::new();
        for jwk in &set.keys {
            let Some(kid) = &jwk.common.key_id else {
                tracing::warn!("skipping a JWK without `kid`");
                continue;
            };
            match VerificationKey::from_jwk(jwk) {
                Ok(key) => {
                    keys.insert(kid.clone(), Arc::new(key));
                }
                Err(why) => tracing::warn!(%kid, why, "skipping a JWK"),
            }
        }
        let keys = Arc::new(keys);
        let mut state = self
            .state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.keys = keys.clone();
        state.fetched_at = Some(now);
        Ok(keys)
    }

    /// Fetches the key set now, whatever the cache holds (for start-up).
    pub(crate) async fn refresh(&self) -> Result<usize, KeySourceError> {
        let _one_fetch_at_a_time = self.fetching.lock().await;
        Ok(self.fetch_now(Instant::now()).await?.len())
    }
}
