//! Token validation: every way a token must fail, with its reason, and the
//! ways it passes.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey};
use mdm_gateway::{AuthError, Role};
use serde_json::json;

use crate::support::*;

fn standard_keys() -> Arc<TestKeys> {
    TestKeys::new(vec![rsa_jwk(RSA_KID), ed_jwk(ED_KID, 7)])
}

#[tokio::test]
async fn rejects_each_bad_token_with_its_reason() {
    let auth = authenticator(standard_keys());
    let valid = rs256(&claims());
    let [valid_header, _, valid_signature] = valid.split('.').collect::<Vec<_>>()[..] else {
        panic!("three parts");
    };
    let tampered_payload = format!(
        "{valid_header}.{}.{valid_signature}",
        b64(&claims_with(json!({"roles": ["mdm.platform-admin"]})))
    );
    let tampered_signature = {
        let mut bytes = valid.clone().into_bytes();
        let last = bytes.len() - 5;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    };
    let hs256_with_rsa_public_key = sign(
        Algorithm::HS256,
        Some(RSA_KID),
        &claims(),
        &EncodingKey::from_secret(RSA.public_pem.as_bytes()).unwrap(),
    );
    let embedded_jwk = {
        let mut header = jsonwebtoken::Header::new(Algorithm::EdDSA);
        header.kid = Some("attacker".into());
        header.jwk = Some(ed_jwk("attacker", 99));
        jsonwebtoken::encode(&header, &claims(), &ed_key(99).0).unwrap()
    };
    let oversize = rs256(&claims_with(json!({"padding": "x".repeat(9000)})));
    let now = now();

    let cases: Vec<(&str, Option<String>, &str)> = vec![
        ("no Authorization header", None, "missing"),
        ("empty header", Some("   ".into()), "missing"),
        (
            "basic scheme",
            Some("Basic dXNlcjpwYXNz".into()),
            "bad_scheme",
        ),
        (
            "bearer without a token",
            Some("Bearer".into()),
            "bad_scheme",
        ),
        ("token without scheme", Some(rs256(&claims())), "bad_scheme"),
        ("two parts", bearer("eyJhbGciOiJSUzI1NiJ9.e30"), "malformed"),
        ("four parts", bearer("a.b.c.d"), "malformed"),
        ("not base64url JSON", bearer("x.y.z"), "malformed"),
        (
            "characters outside base64url",
            bearer("a+b.c/d.e=="),
            "malformed",
        ),
        (
            "header is an array",
            bearer(&format!("{}.e30.sig", b64(&json!(["RS256"])))),
            "malformed",
        ),
        (
            "payload not JSON",
            bearer(&format!("{valid_header}.bm90IGpzb24.{valid_signature}")),
            "bad_signature",
        ),
        (
            "alg none",
            bearer(&raw(json!({"alg": "none", "typ": "JWT"}), &claims(), b"")),
            "bad_algorithm",
        ),
        (
            "alg None with a kid",
            bearer(&raw(json!({"alg": "None", "kid": RSA_KID}), &claims(), b"")),
            "bad_algorithm",
        ),
        (
            "no alg",
            bearer(&raw(json!({"kid": RSA_KID}), &claims(), b"x")),
            "bad_algorithm",
        ),
        (
            "HS256 signed with the RSA public key",
            bearer(&hs256_with_rsa_public_key),
            "bad_algorithm",
        ),
        (
            "RS384, not on the allow-list",
            bearer(&sign(
                Algorithm::RS384,
                Some(RSA_KID),
                &claims(),
                &RSA.encoding,
            )),
            "bad_algorithm",
        ),
        (
            "RS256 header on an Ed25519 key",
            bearer(&raw(
                json!({"alg": "RS256", "kid": ED_KID}),
                &claims(),
                b"x",
            )),
            "key_mismatch",
        ),
        (
            "EdDSA header on the RSA key",
            bearer(&sign(
                Algorithm::EdDSA,
                Some(RSA_KID),
                &claims(),
                &ed_key(7).0,
            )),
            "key_mismatch",
        ),
        (
            "critical header extension",
            bearer(&raw(
                json!({"alg": "RS256", "kid": RSA_KID, "crit": ["exp"]}),
                &claims(),
                b"x",
            )),
            "malformed",
        ),
        (
            "typ of a DPoP proof",
            bearer(&raw(
                json!({"alg": "RS256", "kid": RSA_KID, "typ": "dpop+jwt"}),
                &claims(),
                b"x",
            )),
            "wrong_type",
        ),
        (
            "unknown kid",
            bearer(&sign(
                Algorithm::RS256,
                Some("rotated-away"),
                &claims(),
                &RSA.encoding,
            )),
            "unknown_key",
        ),
        (
            "no kid",
            bearer(&sign(Algorithm::RS256, None, &claims(), &RSA.encoding)),
            "unknown_key",
        ),
        (
            "key embedded in the header is not trusted",
            bearer(&embedded_jwk),
            "unknown_key",
        ),
        (
            "tampered payload",
            bearer(&tampered_payload),
            "bad_signature",
        ),
        (
            "tampered signature",
            bearer(&tampered_signature),
            "bad_signature",
        ),
        (
            "empty signature",
            bearer(&format!("{valid_header}.{}.", b64(&claims()))),
            "bad_signature",
        ),
        (
            "signature by another Ed25519 key",
            bearer(&sign(
                Algorithm::EdDSA,
                Some(ED_KID),
                &claims(),
                &ed_key(8).0,
            )),
            "bad_signature",
        ),
        ("oversize token", bearer(&oversize), "too_large"),
        (
            "oversize header",
            Some(format!("Bearer {}", "a".repeat(20_000))),
            "too_large",
        ),
        (
            "expired",
            bearer(&rs256(&claims_with(json!({"exp": now - 120})))),
            "expired",
        ),
        (
            "expired just past the leeway",
            bearer(&rs256(&claims_with(json!({"exp": now - 31})))),
            "expired",
        ),
        (
            "no exp",
            bearer(&rs256(&claims_with(json!({"exp": null})))),
            "missing_claim",
        ),
        (
            "exp as a string",
            bearer(&rs256(&claims_with(json!({"exp": "tomorrow"})))),
            "invalid_claim",
        ),
        (
            "not yet valid (nbf)",
            bearer(&rs256(&claims_with(json!({"nbf": now + 120})))),
            "not_yet_valid",
        ),
        (
            "issued in the future (iat)",
            bearer(&rs256(&claims_with(json!({"iat": now + 120})))),
            "not_yet_valid",
        ),
        (
            "wrong issuer",
            bearer(&rs256(&claims_with(
                json!({"iss": "https://evil.test/realms/mdm"}),
            ))),
            "wrong_issuer",
        ),
        (
            "issuer with a trailing slash",
            bearer(&rs256(&claims_with(json!({"iss": format!("{ISSUER}/")})))),
            "wrong_issuer",
        ),
        (
            "issuer as an array",
            bearer(&rs256(&claims_with(json!({"iss": [ISSUER]})))),
            "wrong_issuer",
        ),
        (
            "no issuer",
            bearer(&rs256(&claims_with(json!({"iss": null})))),
            "wrong_issuer",
        ),
        (
            "wrong audience",
            bearer(&rs256(&claims_with(json!({"aud": "another-api"})))),
            "wrong_audience",
        ),
        (
            "audience list without ours",
            bearer(&rs256(&claims_with(json!({"aud": ["a", "b"]})))),
            "wrong_audience",
        ),
        (
            "no audience",
            bearer(&rs256(&claims_with(json!({"aud": null})))),
            "wrong_audience",
        ),
        (
            "no subject",
            bearer(&rs256(&claims_with(json!({"sub": null})))),
            "missing_claim",
        ),
        (
            "integration without client_id",
            bearer(&rs256(&claims_with(json!({"scope": "mdm.integration"})))),
            "missing_claim",
        ),
        (
            "organisations of the wrong type",
            bearer(&rs256(&claims_with(json!({"org": {"a": 1}})))),
            "invalid_claim",
        ),
    ];
    let mut failures = Vec::new();
    for (name, header, expected) in &cases {
        match auth.authenticate(header.as_deref()).await {
            Ok(identity) => failures.push(format!("{name}: accepted as {identity:?}")),
            Err(error) => {
                if error.reason() != *expected {
                    failures.push(format!(
                        "{name}: expected {expected}, got {} ({error})",
                        error.reason()
                    ));
                }
                let message = error.to_string();
                if let Some(token) = header.as_deref().and_then(|h| h.split(' ').nth(1))
                    && token.len() > 20
                {
                    assert!(
                        !message.contains(token),
                        "{name}: the message echoes the token"
                    );
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn accepts_rs256_and_eddsa_from_the_key_set() {
    let auth = authenticator(standard_keys());
    for (name, token) in [("RS256", rs256(&claims())), ("EdDSA", eddsa(&claims()))] {
        let identity = auth
            .authenticate(bearer(&token).as_deref())
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(identity.subject, "SE2321000016-A1B2", "{name}");
        assert_eq!(identity.roles, BTreeSet::from([Role::Viewer]), "{name}");
        assert_eq!(identity.organisations, ["SE2321000016-0001"], "{name}");
        assert_eq!(identity.integration, None, "{name}");
    }
}

#[tokio::test]
async fn accepts_variants_of_a_valid_token() {
    let auth = authenticator(standard_keys());
    let now = now();
    let cases = [
        ("lower-case scheme", format!("bearer {}", rs256(&claims()))),
        ("extra spaces", format!("Bearer   {}  ", rs256(&claims()))),
        (
            "audience list with ours",
            format!(
                "Bearer {}",
                rs256(&claims_with(json!({"aud": ["x", AUDIENCE]})))
            ),
        ),
        (
            "the second configured audience",
            format!(
                "Bearer {}",
                rs256(&claims_with(json!({"aud": "other-api"})))
            ),
        ),
        ("RFC 9068 typ", format!("Bearer {}", raw_signed_at_jwt())),
        (
            "expired within the leeway",
            format!("Bearer {}", rs256(&claims_with(json!({"exp": now - 10})))),
        ),
        (
            "nbf within the leeway",
            format!("Bearer {}", rs256(&claims_with(json!({"nbf": now + 10})))),
        ),
        (
            "iat within the leeway",
            format!("Bearer {}", rs256(&claims_with(json!({"iat": now + 10})))),
        ),
        (
            "no nbf and no iat",
            format!(
                "Bearer {}",
                rs256(&claims_with(json!({"nbf": null, "iat": null})))
            ),
        ),
        (
            "fractional exp",
            format!(
                "Bearer {}",
                rs256(&claims_with(json!({"exp": now as f64 + 60.5})))
            ),
        ),
    ];
    for (name, header) in cases {
        if let Err(error) = auth.authenticate(Some(&header)).await {
            panic!("{name}: rejected: {} ({error})", error.reason());
        }
    }
}

fn raw_signed_at_jwt() -> String {
    let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
    header.typ = Some("at+jwt".into());
    header.kid = Some(RSA_KID.into());
    jsonwebtoken::encode(&header, &claims(), &RSA.encoding).unwrap()
}

#[tokio::test]
async fn leeway_is_configurable() {
    let mut settings = settings();
    settings.leeway = Duration::ZERO;
    let auth = authenticator_with(settings, standard_keys());
    let token = rs256(&claims_with(json!({"exp": now() - 2})));
    let error = auth
        .authenticate(bearer(&token).as_deref())
        .await
        .unwrap_err();
    assert_eq!(error.reason(), "expired");
}

#[tokio::test]
async fn maps_the_platform_role_rules() {
    let auth = authenticator(standard_keys());
    use Role::*;
    let cases = [
        (json!({}), vec![Viewer], None),
        (
            json!({"roles": ["mdm.producer"]}),
            vec![Producer, Viewer],
            None,
        ),
        (
            json!({"roles": ["mdm.private-producer", "mdm.orderer"]}),
            vec![Orderer, PrivateProducer, Viewer],
            None,
        ),
        (
            json!({"roles": ["mdm.programme", "mdm.platform-admin", "unrelated"]}),
            vec![PlatformAdmin, Programme, Viewer],
            None,
        ),
        // a person signed in through an app has a client_id and is no integration
        (
            json!({"client_id": "portal", "scope": "openid profile"}),
            vec![Viewer],
            None,
        ),
        // client credentials with the integration scope: no default roles
        (
            json!({"client_id": "journal-system", "scope": "openid mdm.integration"}),
            vec![Integration],
            Some("journal-system"),
        ),
    ];
    for (extra, roles, integration) in cases {
        let mut claims = claims();
        for (key, value) in extra.as_object().unwrap() {
            claims[key] = value.clone();
        }
        let identity = auth
            .authenticate(bearer(&rs256(&claims)).as_deref())
            .await
            .unwrap_or_else(|e| panic!("{extra}: {e}"));
        assert_eq!(
            identity.roles.into_iter().collect::<Vec<_>>(),
            roles,
            "{extra}"
        );
        assert_eq!(identity.integration.as_deref(), integration, "{extra}");
    }
}

#[tokio::test(start_paused = true)]
async fn an_unknown_kid_refetches_the_keys_at_most_once_per_interval() {
    let keys = TestKeys::new(vec![rsa_jwk(RSA_KID)]);
    let auth = Arc::new(authenticator(keys.clone()));
    let interval = settings().jwks_refresh_min;
    assert_eq!(interval, MINUTE, "gateway.toml's jwks_refresh_min_seconds");
    let rotated = bearer(&sign(
        Algorithm::EdDSA,
        Some("rotated"),
        &claims(),
        &ed_key(7).0,
    ));

    auth.authenticate(bearer(&rs256(&claims())).as_deref())
        .await
        .unwrap();
    assert_eq!(keys.fetches(), 1, "the first token fetches the keys");

    // Right after a fetch, unknown kids do not fetch again, however many.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (auth, rotated) = (auth.clone(), rotated.clone());
        tasks.spawn(async move { auth.authenticate(rotated.as_deref()).await });
    }
    while let Some(result) = tasks.join_next().await {
        assert_eq!(result.unwrap().unwrap_err().reason(), "unknown_key");
    }
    assert_eq!(keys.fetches(), 1);

    // After the interval one refetch is allowed; the kid is still unknown.
    tokio::time::advance(interval).await;
    for _ in 0..5 {
        let error = auth.authenticate(rotated.as_deref()).await.unwrap_err();
        assert_eq!(error.reason(), "unknown_key");
    }
    assert_eq!(keys.fetches(), 2);

    // The IdP publishes the rotated key: found at the next allowed refetch.
    keys.set(vec![rsa_jwk(RSA_KID), ed_jwk("rotated", 7)]);
    tokio::time::advance(interval - Duration::from_secs(1)).await;
    assert_eq!(
        auth.authenticate(rotated.as_deref())
            .await
            .unwrap_err()
            .reason(),
        "unknown_key"
    );
    assert_eq!(keys.fetches(), 2, "not before the interval has passed");
    tokio::time::advance(Duration::from_secs(1)).await;
    auth.authenticate(rotated.as_deref()).await.unwrap();
    assert_eq!(keys.fetches(), 3);

    // Known kids never fetch while the cache is fresh.
    for _ in 0..5 {
        auth.authenticate(bearer(&rs256(&claims())).as_deref())
            .await
            .unwrap();
    }
    assert_eq!(keys.fetches(), 3);
}

#[tokio::test(start_paused = true)]
async fn the_key_set_is_fetched_again_when_the_cache_expires() {
    let keys = TestKeys::new(vec![rsa_jwk(RSA_KID)]);
    let auth = authenticator(keys.clone());
    // A new token each time, so every call verifies a signature (a token
    // seen before may be answered from the verified-token cache).
    let mut n = 0;
    let mut token = || {
        n += 1;
        bearer(&rs256(&claims_with(json!({"jti": format!("t{n}")}))))
    };
    auth.authenticate(token().as_deref()).await.unwrap();
    tokio::time::advance(settings().jwks_cache - Duration::from_secs(1)).await;
    auth.authenticate(token().as_deref()).await.unwrap();
    assert_eq!(keys.fetches(), 1);
    tokio::time::advance(Duration::from_secs(1)).await;
    auth.authenticate(token().as_deref()).await.unwrap();
    assert_eq!(keys.fetches(), 2);

    // A key the IdP withdrew stops working at the next fetch.
    keys.set(vec![ed_jwk(ED_KID, 7)]);
    tokio::time::advance(settings().jwks_cache).await;
    let error = auth.authenticate(token().as_deref()).await.unwrap_err();
    assert_eq!(error.reason(), "unknown_key");
}

#[tokio::test(start_paused = true)]
async fn keeps_the_cached_keys_while_the_idp_is_unreachable() {
    let keys = TestKeys::new(vec![rsa_jwk(RSA_KID)]);
    let auth = authenticator(keys.clone());
    let token = bearer(&rs256(&claims()));
    auth.authenticate(token.as_deref()).await.unwrap();
    keys.fail();
    tokio::time::advance(settings().jwks_cache).await;
    auth.authenticate(token.as_deref()).await.unwrap();
    assert_eq!(keys.fetches(), 2, "it tried");
    auth.authenticate(token.as_deref()).await.unwrap();
    assert_eq!(keys.fetches(), 2, "and waits before trying again");
}

#[tokio::test(start_paused = true)]
async fn no_keys_at_all_is_a_503_and_retried_only_after_the_interval() {
    let keys = TestKeys::unavailable();
    let auth = authenticator(keys.clone());
    let token = bearer(&rs256(&claims()));
    for _ in 0..3 {
        let error = auth.authenticate(token.as_deref()).await.unwrap_err();
        assert!(matches!(error, AuthError::JwksUnavailable(_)), "{error:?}");
        assert_eq!(error.status(), http::StatusCode::SERVICE_UNAVAILABLE);
    }
    assert_eq!(keys.fetches(), 1);
    keys.set(vec![rsa_jwk(RSA_KID)]);
    tokio::time::advance(settings().jwks_refresh_min).await;
    auth.authenticate(token.as_deref()).await.unwrap();
    assert_eq!(keys.fetches(), 2);
}

#[tokio::test]
async fn unusable_keys_in_the_set_are_skipped() {
    use base64::Engine;
    let weak_rsa: mdm_gateway::Jwk = serde_json::from_value(json!({
        "kty": "RSA",
        "kid": "weak",
        "n": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0xC5u8; 128]),
        "e": "AQAB",
    }))
    .unwrap();
    let encryption_key = {
        let mut jwk = rsa_jwk("enc");
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Encryption);
        jwk
    };
    let hmac_key: mdm_gateway::Jwk =
        serde_json::from_value(json!({"kty": "oct", "kid": "shared", "k": "c2VjcmV0"})).unwrap();
    let keys = TestKeys::new(vec![weak_rsa, encryption_key, hmac_key, rsa_jwk(RSA_KID)]);
    let auth = authenticator(keys);
    assert_eq!(auth.refresh_keys().await.unwrap(), 1, "only the good key");
    let token = sign(Algorithm::RS256, Some("enc"), &claims(), &RSA.encoding);
    let error = auth
        .authenticate(bearer(&token).as_deref())
        .await
        .unwrap_err();
    assert_eq!(error.reason(), "unknown_key");
}

#[tokio::test]
async fn a_jwk_that_names_its_algorithm_verifies_only_that_one() {
    let mut pinned = rsa_jwk(RSA_KID);
    pinned.common.key_algorithm = Some(jsonwebtoken::jwk::KeyAlgorithm::PS256);
    let mut settings = settings();
    settings
        .algorithms
        .push(mdm_gateway::SigningAlgorithm::PS256);
    let auth = authenticator_with(settings, TestKeys::new(vec![pinned]));
    let error = auth
        .authenticate(bearer(&rs256(&claims())).as_deref())
        .await
        .unwrap_err();
    assert_eq!(error.reason(), "key_mismatch");
    let ps256 = sign(Algorithm::PS256, Some(RSA_KID), &claims(), &RSA.encoding);
    auth.authenticate(bearer(&ps256).as_deref()).await.unwrap();
}

#[tokio::test]
async fn a_verified_token_is_remembered_but_never_past_its_expiry() {
    let mut settings = settings();
    settings.leeway = Duration::ZERO;
    let auth = authenticator_with(settings, standard_keys());
    let token = rs256(&claims_with(json!({"exp": now() + 1})));
    let first = auth.authenticate(bearer(&token).as_deref()).await.unwrap();
    // The second use is answered from the verified-token cache, identically.
    let second = auth.authenticate(bearer(&token).as_deref()).await.unwrap();
    assert_eq!(first, second);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let err = auth
        .authenticate(bearer(&token).as_deref())
        .await
        .unwrap_err();
    assert_eq!(err.reason(), "expired");
}

#[tokio::test]
async fn a_remembered_token_does_not_make_a_tampered_copy_pass() {
    let auth = authenticator(standard_keys());
    let token = rs256(&claims());
    auth.authenticate(bearer(&token).as_deref()).await.unwrap();
    let [header, _, signature] = token.split('.').collect::<Vec<_>>()[..] else {
        panic!("three parts");
    };
    let tampered = format!(
        "{header}.{}.{signature}",
        b64(&claims_with(json!({"roles": ["mdm.platform-admin"]})))
    );
    let err = auth
        .authenticate(bearer(&tampered).as_deref())
        .await
        .unwrap_err();
    assert_eq!(err.reason(), "bad_signature");
}
