//! The OpenID provider fixture (`tests/oidc/provider.mjs`, the real
//! `oidc-provider` from npm) issues the RFC 9068 JWT access tokens that the
//! gateway will verify.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mdm_e2e::OidcProvider;
use serde_json::Value;

/// The JSON of one base64url part of a compact JWS.
fn decode_part(part: &str) -> Value {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .unwrap_or_else(|e| panic!("not base64url ({e}): {part}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {part}"))
}

#[tokio::test]
async fn real_provider_issues_a_jwt_access_token_for_client_credentials() {
    let provider = OidcProvider::start();
    assert!(
        provider.issuer().starts_with("http://127.0.0.1:"),
        "issuer: {}",
        provider.issuer()
    );

    let token = provider
        .client_credentials_token(
            "mdm-test-integration",
            "mdm-test-secret",
            "mdm:integration",
            OidcProvider::RESOURCE,
        )
        .await;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a compact JWS: {token}");
    let header = decode_part(parts[0]);
    let claims = decode_part(parts[1]);

    assert_eq!(header["alg"], "RS256", "header: {header}");
    assert_eq!(header["typ"], "at+jwt", "header: {header}");
    assert_eq!(claims["iss"], provider.issuer(), "claims: {claims}");
    assert_eq!(claims["aud"], "mdm-api", "claims: {claims}");
    assert_eq!(
        claims["client_id"], "mdm-test-integration",
        "claims: {claims}"
    );
    let scope = claims["scope"].as_str().unwrap_or_default();
    assert!(
        scope.split(' ').any(|s| s == "mdm:integration"),
        "claims: {claims}"
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let exp = claims["exp"].as_u64().expect("numeric exp");
    assert!(exp > now, "exp {exp} is not after now {now}");

    let discovery = provider.discovery().await;
    assert_eq!(discovery["issuer"], provider.issuer());
    let jwks_uri = discovery["jwks_uri"]
        .as_str()
        .unwrap_or_else(|| panic!("discovery has no jwks_uri: {discovery}"));
    let jwks = provider.get_json(jwks_uri).await;
    let kid = header["kid"].as_str().expect("the token names its key");
    let key = jwks["keys"]
        .as_array()
        .expect("a JWK set")
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap_or_else(|| panic!("no key {kid} in {jwks}"));
    assert_eq!(key["kty"], "RSA", "key: {key}");
    assert!(
        key.get("d").is_none(),
        "the JWKS must not publish private keys"
    );
}
