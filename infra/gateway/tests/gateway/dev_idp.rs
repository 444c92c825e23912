//! The development IdP: its key, its documents, its tokens, and where it
//! may run.

use std::net::SocketAddr;
use std::sync::Arc;

use mdm_gateway::{
    Authenticator, DEMO_INTEGRATION, DEMO_ORGANISATION, DevIdp, DevIdpConfig, DevIdpError,
    GatewayConfig, JwkSet, KeySource, Role, check_dev_idp_allowed,
};
use serde_json::{Value, json};

use crate::support::*;

fn loopback() -> SocketAddr {
    "127.0.0.1:3000".parse().unwrap()
}

fn open(state: &tempfile::TempDir) -> Arc<DevIdp> {
    Arc::new(DevIdp::open(state.path(), loopback(), &platform_config()).unwrap())
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_signing_key_persists_across_instances_with_private_permissions() {
    let state = tempfile::tempdir().unwrap();
    let first = open(&state);
    let key_file = state.path().join("dev-idp/signing-key.pem");
    assert_eq!(first.key_path(), key_file);
    let pem = std::fs::read_to_string(&key_file).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "PKCS#8 PEM");
    #[cfg(unix)]
    {
        assert_eq!(mode(&key_file), 0o600);
        assert_eq!(mode(key_file.parent().unwrap()), 0o700);
    }

    let second = open(&state);
    assert_eq!(
        second.key_id(),
        first.key_id(),
        "the same key after a restart"
    );
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), pem);
    assert_eq!(second.jwks_json(), first.jwks_json());

    let elsewhere = tempfile::tempdir().unwrap();
    assert_ne!(
        open(&elsewhere).key_id(),
        first.key_id(),
        "a new state, a new key"
    );
}

#[cfg(unix)]
#[test]
fn a_key_file_readable_by_others_is_made_private_again() {
    use std::os::unix::fs::PermissionsExt;
    let state = tempfile::tempdir().unwrap();
    let key_file = open(&state).key_path().to_path_buf();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    open(&state);
    assert_eq!(mode(&key_file), 0o600);
}

#[test]
fn a_corrupt_key_file_is_an_error_naming_the_file() {
    let state = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(state.path().join("dev-idp")).unwrap();
    std::fs::write(state.path().join("dev-idp/signing-key.pem"), "not a key").unwrap();
    let error = DevIdp::open(state.path(), loopback(), &platform_config()).unwrap_err();
    assert!(matches!(error, DevIdpError::Key { .. }), "{error:?}");
    assert!(error.to_string().contains("signing-key.pem"), "{error}");
}

#[tokio::test]
async fn publishes_discovery_and_jwks_for_its_issuer() {
    let state = tempfile::tempdir().unwrap();
    let idp = open(&state);
    assert_eq!(idp.issuer(), "http://127.0.0.1:3000/dev-idp");
    let discovery: Value = serde_json::from_str(&idp.discovery_json()).unwrap();
    assert_eq!(discovery["issuer"], "http://127.0.0.1:3000/dev-idp");
    assert_eq!(
        discovery["jwks_uri"],
        "http://127.0.0.1:3000/dev-idp/jwks.json"
    );
    assert_eq!(
        format!("http://127.0.0.1:3000{}", mdm_gateway::DEV_IDP_JWKS_PATH),
        discovery["jwks_uri"]
    );

    let jwks: JwkSet = serde_json::from_str(&idp.jwks_json()).unwrap();
    assert_eq!(jwks.keys.len(), 1);
    let jwk: Value = serde_json::from_str(&idp.jwks_json()).unwrap();
    let key = &jwk["keys"][0];
    assert_eq!(key["kty"], "EC");
    assert_eq!(key["crv"], "P-256");
    assert_eq!(key["alg"], "ES256");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["kid"], idp.key_id());
    assert!(key.get("d").is_none(), "never the private key");
    assert_eq!(
        idp.fetch().await.unwrap(),
        jwks,
        "the in-process key source"
    );
}

#[tokio::test]
async fn its_tokens_authenticate_as_the_demo_user_of_each_role() {
    let state = tempfile::tempdir().unwrap();
    let idp = open(&state);
    let config = platform_config();
    let auth = Authenticator::for_dev_idp(&config, idp.clone());
    for role in Role::ALL {
        let token = idp.mint(role, None, MINUTE).unwrap();
        let header: Value = {
            use base64::Engine;
            let part = token.split('.').next().unwrap();
            serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(part)
                    .unwrap(),
            )
            .unwrap()
        };
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["kid"], idp.key_id());
        let identity = auth
            .authenticate(bearer(&token).as_deref())
            .await
            .unwrap_or_else(|e| panic!("{role}: {} ({e})", e.reason()));
        assert!(
            identity.roles.contains(&role),
            "{role}: {:?}",
            identity.roles
        );
        assert_eq!(identity.organisations, [DEMO_ORGANISATION], "{role}");
        if role == Role::Integration {
            assert_eq!(identity.subject, DEMO_INTEGRATION);
            assert_eq!(identity.integration.as_deref(), Some(DEMO_INTEGRATION));
            assert_eq!(
                identity.roles.len(),
                1,
                "no default roles for an integration"
            );
        } else {
            assert_eq!(identity.subject, format!("demo-{role}"));
            assert_eq!(identity.integration, None);
            assert!(identity.roles.contains(&Role::Viewer), "{role}");
        }
    }

    let other_org = idp
        .mint(Role::Producer, Some("SE2321000016-9DEM"), MINUTE)
        .unwrap();
    let identity = auth
        .authenticate(bearer(&other_org).as_deref())
        .await
        .unwrap();
    assert_eq!(identity.organisations, ["SE2321000016-9DEM"]);
}

#[tokio::test]
async fn its_tokens_carry_the_registered_claims() {
    let state = tempfile::tempdir().unwrap();
    let idp = open(&state);
    let token = idp.mint(Role::Viewer, None, MINUTE).unwrap();
    let claims: Value = jsonwebtoken::dangerous::insecure_decode::<Value>(&token)
        .unwrap()
        .claims;
    for claim in ["iss", "aud", "sub", "exp", "nbf", "iat", "jti"] {
        assert!(claims.get(claim).is_some(), "{claim} in {claims}");
    }
    assert_eq!(claims["aud"], "mdm-api");
    let exp = claims["exp"].as_u64().unwrap();
    let iat = claims["iat"].as_u64().unwrap();
    assert_eq!(exp - iat, 60);
    let again = jsonwebtoken::dangerous::insecure_decode::<Value>(
        idp.mint(Role::Viewer, None, MINUTE).unwrap(),
    )
    .unwrap()
    .claims;
    assert_ne!(claims["jti"], again["jti"], "every token its own jti");
}

#[tokio::test]
async fn tokens_of_another_dev_idp_address_are_another_issuer() {
    let state = tempfile::tempdir().unwrap();
    let config = platform_config();
    let on_3000 = open(&state);
    let on_4000 = DevIdp::open(state.path(), "127.0.0.1:4000".parse().unwrap(), &config).unwrap();
    assert_eq!(on_3000.key_id(), on_4000.key_id(), "same state, same key");
    let auth = Authenticator::for_dev_idp(&config, on_3000.clone());
    let token = on_4000.mint(Role::Viewer, None, MINUTE).unwrap();
    let error = auth
        .authenticate(bearer(&token).as_deref())
        .await
        .unwrap_err();
    assert_eq!(error.reason(), "wrong_issuer");

    let expired = on_3000
        .sign(&json!({
            "iss": on_3000.issuer(), "aud": "mdm-api", "sub": "x", "exp": now() - 3600,
        }))
        .unwrap();
    let error = auth
        .authenticate(bearer(&expired).as_deref())
        .await
        .unwrap_err();
    assert_eq!(error.reason(), "expired");
}

#[test]
fn a_role_no_rule_grants_cannot_be_minted() {
    let state = tempfile::tempdir().unwrap();
    let config = GatewayConfig::from_toml_str(
        "[issuer]\nurl = \"https://idp.test\"\naudience = \"mdm-api\"\n",
    )
    .unwrap();
    let idp = DevIdp::open(state.path(), loopback(), &config).unwrap();
    idp.mint(Role::Viewer, None, MINUTE).unwrap();
    let error = idp.mint(Role::Producer, None, MINUTE).unwrap_err();
    assert!(
        matches!(error, DevIdpError::RoleNotMapped(Role::Producer)),
        "{error:?}"
    );
}

#[test]
fn refuses_a_config_without_es256() {
    let state = tempfile::tempdir().unwrap();
    let config = GatewayConfig::from_toml_str(
        "[issuer]\nurl = \"https://idp.test\"\naudience = \"a\"\nalgorithms = [\"RS256\"]\n",
    )
    .unwrap();
    let error = DevIdp::open(state.path(), loopback(), &config).unwrap_err();
    assert!(
        matches!(error, DevIdpError::AlgorithmNotAllowed),
        "{error:?}"
    );
}

#[test]
fn is_refused_on_a_non_loopback_address() {
    let state = tempfile::tempdir().unwrap();
    for listen in [
        "0.0.0.0:3000",
        "10.1.2.3:3000",
        "[::]:3000",
        "[::ffff:127.0.0.1]:3000",
    ] {
        let listen: SocketAddr = listen.parse().unwrap();
        let error = DevIdp::open(state.path(), listen, &platform_config()).unwrap_err();
        assert!(
            matches!(error, DevIdpError::NotLoopback { .. }),
            "{listen}: {error:?}"
        );
        for explicitly in [false, true] {
            assert!(
                check_dev_idp_allowed(listen, explicitly).is_err(),
                "{listen}"
            );
        }
    }
    assert!(
        !state.path().join("dev-idp").exists(),
        "no key is made for a refused IdP"
    );
    for listen in ["127.0.0.1:3000", "127.8.9.10:1", "[::1]:3000"] {
        check_dev_idp_allowed(listen.parse().unwrap(), true).unwrap();
    }
    let explicit = check_dev_idp_allowed("0.0.0.0:3000".parse().unwrap(), true).unwrap_err();
    assert!(
        explicit.to_string().contains("enabled = true"),
        "{explicit}"
    );
}

#[test]
fn runs_by_default_on_loopback_only() {
    let loopback: SocketAddr = "127.0.0.1:3000".parse().unwrap();
    let public: SocketAddr = "0.0.0.0:3000".parse().unwrap();
    let config = |enabled| DevIdpConfig { enabled };
    assert!(config(None).should_run(loopback).unwrap());
    assert!(config(Some(true)).should_run(loopback).unwrap());
    assert!(!config(Some(false)).should_run(loopback).unwrap());
    assert!(!config(None).should_run(public).unwrap());
    assert!(!config(Some(false)).should_run(public).unwrap());
    assert!(matches!(
        config(Some(true)).should_run(public),
        Err(DevIdpError::NotLoopback {
            explicitly_enabled: true,
            ..
        })
    ));
}
