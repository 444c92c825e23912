//! Test keys, a counting key source, and token builders.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mdm_gateway::{
    Authenticator, AuthenticatorSettings, GatewayConfig, Jwk, JwkSet, KeySource, KeySourceError,
};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::{Value, json};

pub const ISSUER: &str = "https://idp.test/realms/mdm";
pub const AUDIENCE: &str = "mdm-api";
pub const RSA_KID: &str = "rsa-1";
pub const ED_KID: &str = "ed-1";

/// The platform's own configuration file.
pub fn platform_config() -> GatewayConfig {
    GatewayConfig::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../gateway.toml")).unwrap()
}

/// An RSA test key: made once per test run (2048 bits).
pub struct RsaKey {
    pub encoding: EncodingKey,
    pub public_pem: String,
}

pub static RSA: LazyLock<RsaKey> = LazyLock::new(|| {
    let private = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
    let private_pem = private.to_pkcs8_pem(LineEnding::LF).unwrap();
    let public_pem = private
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    RsaKey {
        encoding: EncodingKey::from_rsa_pem(private_pem.as_bytes()).unwrap(),
        public_pem,
    }
});

/// An Ed25519 test key from fixed bytes, and its PKCS#8 form.
pub fn ed_key(seed: u8) -> (EncodingKey, ed25519_dalek::VerifyingKey) {
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    let signing = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let der = signing.to_pkcs8_der().unwrap();
    (
        EncodingKey::from_ed_der(der.as_bytes()),
        signing.verifying_key(),
    )
}

pub fn rsa_jwk(kid: &str) -> Jwk {
    let mut jwk = Jwk::from_encoding_key(&RSA.encoding, Algorithm::RS256).unwrap();
    jwk.common.key_id = Some(kid.to_string());
    jwk
}

pub fn ed_jwk(kid: &str, seed: u8) -> Jwk {
    let (_, public) = ed_key(seed);
    serde_json::from_value(json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": URL_SAFE_NO_PAD.encode(public.to_bytes()),
        "kid": kid,
        "use": "sig",
    }))
    .unwrap()
}

/// A key source that hands out a settable key set and counts fetches.
#[derive(Default)]
pub struct TestKeys {
    keys: Mutex<Option<JwkSet>>,
    fetches: AtomicUsize,
}

impl TestKeys {
    pub fn new(keys: Vec<Jwk>) -> Arc<Self> {
        let source = Self::default();
        source.set(keys);
        Arc::new(source)
    }

    /// A source whose every fetch fails.
    pub fn unavailable() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn set(&self, keys: Vec<Jwk>) {
        *self.keys.lock().unwrap() = Some(JwkSet { keys });
    }

    pub fn fail(&self) {
        *self.keys.lock().unwrap() = None;
    }

    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl KeySource for TestKeys {
    async fn fetch(&self) -> Result<JwkSet, KeySourceError> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        self.keys
            .lock()
            .unwrap()
            .clone()
            .ok_or_else(|| KeySourceError::Http {
                url: "test://keys".into(),
                reason: "the test says no".into(),
            })
    }
}

pub fn settings() -> AuthenticatorSettings {
    let mut settings = AuthenticatorSettings::from_config(&platform_config().issuer);
    settings.issuer = ISSUER.to_string();
    settings.audiences = vec![AUDIENCE.to_string(), "other-api".to_string()];
    settings
}

/// An authenticator for the test issuer with the platform's claims rules.
pub fn authenticator(keys: Arc<TestKeys>) -> Authenticator {
    authenticator_with(settings(), keys)
}

pub fn authenticator_with(settings: AuthenticatorSettings, keys: Arc<TestKeys>) -> Authenticator {
    Authenticator::new(settings, platform_config().claims, keys)
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims of a valid token for a person (5 minutes).
pub fn claims() -> Value {
    let now = now();
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "SE2321000016-A1B2",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "org": ["SE2321000016-0001"],
    })
}

/// `claims()` with some fields changed (`null` removes one).
pub fn claims_with(changes: Value) -> Value {
    let mut claims = claims();
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(key);
        } else {
            claims[key] = value.clone();
        }
    }
    claims
}

pub fn sign(alg: Algorithm, kid: Option<&str>, claims: &Value, key: &EncodingKey) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

pub fn rs256(claims: &Value) -> String {
    sign(Algorithm::RS256, Some(RSA_KID), claims, &RSA.encoding)
}

pub fn eddsa(claims: &Value) -> String {
    sign(Algorithm::EdDSA, Some(ED_KID), claims, &ed_key(7).0)
}

pub fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// A token from raw parts: any header, any claims, any signature bytes.
pub fn raw(header: Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(&header),
        b64(claims),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

pub fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

pub const MINUTE: Duration = Duration::from_secs(60);
