//! The gateway in front of the platform: who gets in, what they may do, and
//! what integrations are charged for. Tokens come from the host's
//! development IdP (and, in `real_openid_provider_*`, from a real OpenID
//! provider), so every check runs through the real HTTP surface.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use mdm_e2e::{DEMO_SEED, OidcProvider, TestHost, build_wasm, gateway_config};
use serde_json::{Value, json};

async fn platform() -> TestHost {
    mdm_e2e::platform(&[DEMO_SEED], |_| {}).await
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims like the dev IdP's for a producer, adjusted by `change`.
fn producer_claims(host: &TestHost, change: impl FnOnce(&mut Value)) -> Value {
    let mut claims = json!({
        "iss": host.issuer(),
        "aud": "mdm-api",
        "sub": "demo-producer",
        "iat": now(),
        "nbf": now(),
        "exp": now() + 600,
        "org": ["SE2321000016-0001"],
        "roles": ["mdm.producer"],
    });
    change(&mut claims);
    claims
}

fn parts(token: &str) -> (Value, Value, String) {
    let mut it = token.split('.');
    let header = serde_json::from_slice(&B64.decode(it.next().unwrap()).unwrap()).unwrap();
    let payload = serde_json::from_slice(&B64.decode(it.next().unwrap()).unwrap()).unwrap();
    (header, payload, it.next().unwrap().to_string())
}

fn assemble(header: &Value, payload: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{}",
        B64.encode(header.to_string()),
        B64.encode(payload.to_string()),
        signature
    )
}

const NEW_UNIT: &str = r#"{"hsa_id":"SE2321000016-GW01","name":"Gateway test","kind":"care-unit",
  "care_provider":"SE2321000016-0001","organisation_number":"2321000016","ownership":"region"}"#;

async fn try_create(host: &TestHost, authorization: Option<String>) -> reqwest::Response {
    let mut request = host
        .client
        .post(host.url("/api/v1/producer/units"))
        .header("content-type", "application/json")
        .body(NEW_UNIT);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn bad_tokens_are_refused_and_change_nothing() {
    let host = platform().await;
    let good = host.token("producer", None);
    let (header, payload, signature) = parts(&good);

    let mut unknown_kid = header.clone();
    unknown_kid["kid"] = json!("no-such-key");
    let mut tampered = payload.clone();
    tampered["sub"] = json!("someone-else");
    let none_header = json!({"alg": "none", "typ": "JWT"});
    // HS256 keyed with the issuer's published key material: the classic
    // algorithm-confusion attack.
    let jwks: Value = host
        .client
        .get(host.url("/dev-idp/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let public_material = jwks["keys"][0].to_string();
    let mut hs_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    hs_header.kid = header["kid"].as_str().map(str::to_string);
    let hs256 = jsonwebtoken::encode(
        &hs_header,
        &payload,
        &jsonwebtoken::EncodingKey::from_secret(public_material.as_bytes()).unwrap(),
    )
    .unwrap();

    let cases: Vec<(&str, Option<String>, &str)> = vec![
        ("no token", None, "missing"),
        ("not bearer", Some(format!("Basic {good}")), "bad_scheme"),
        ("malformed", Some("Bearer not-a-jwt".into()), "malformed"),
        (
            "alg none",
            Some(format!("Bearer {}", assemble(&none_header, &payload, ""))),
            "bad_algorithm",
        ),
        (
            "HS256 with the public key",
            Some(format!("Bearer {hs256}")),
            "bad_algorithm",
        ),
        (
            "expired",
            Some(format!(
                "Bearer {}",
                host.sign(&producer_claims(&host, |c| {
                    c["exp"] = json!(now() - 120);
                    c["iat"] = json!(now() - 720);
                    c["nbf"] = json!(now() - 720);
                }))
            )),
            "expired",
        ),
        (
            "not yet valid",
            Some(format!(
                "Bearer {}",
                host.sign(&producer_claims(&host, |c| c["nbf"] = json!(now() + 3600)))
            )),
            "not_yet_valid",
        ),
        (
            "wrong issuer",
            Some(format!(
                "Bearer {}",
                host.sign(&producer_claims(&host, |c| c["iss"] = json!("https://evil.example")))
            )),
            "wrong_issuer",
        ),
        (
            "wrong audience",
            Some(format!(
                "Bearer {}",
                host.sign(&producer_claims(&host, |c| c["aud"] = json!("another-api")))
            )),
            "wrong_audience",
        ),
        (
            "unknown kid",
            Some(format!(
                "Bearer {}",
                assemble(&unknown_kid, &payload, &signature)
            )),
            "unknown_key",
        ),
        (
            "tampered payload",
            Some(format!(
                "Bearer {}",
                assemble(&header, &tampered, &signature)
            )),
            "bad_signature",
        ),
        (
            "oversize",
            Some(format!("Bearer {}", "a".repeat(9000))),
            "too_large",
        ),
    ];

    for (name, authorization, reason) in &cases {
        let response = try_create(&host, authorization.clone()).await;
        assert_eq!(response.status(), 401, "{name}");
        let challenge = response.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.starts_with("Bearer"), "{name}: {challenge}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{name}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["type"], "urn:mdm:problem:unauthenticated", "{name}");
        let detail = body["detail"].as_str().unwrap();
        assert!(
            !detail.contains(&good),
            "{name}: the token must never be echoed"
        );
        let metrics = host.client.get(host.url("/metrics")).send().await.unwrap();
        let metrics = metrics.text().await.unwrap();
        assert!(
            metrics.contains(&format!("mdm_auth_failures_total{{reason=\"{reason}\"}}")),
            "{name}: expected reason {reason} in\n{metrics}"
        );
    }

    // Authenticated, but not allowed.
    let viewer = host.token("viewer", None);
    let response = try_create(&host, Some(format!("Bearer {viewer}"))).await;
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "urn:mdm:problem:forbidden");

    // A viewer claiming to be a producer through identity headers is stripped.
    let response = host
        .client
        .post(host.url("/api/v1/producer/units"))
        .bearer_auth(&viewer)
        .header("x-mdm-roles", "producer")
        .header("content-type", "application/json")
        .body(NEW_UNIT)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // Nothing was written by any of the refused requests.
    let after = host
        .get_as(&viewer, "/api/v1/units/SE2321000016-GW01")
        .await;
    assert_eq!(after.status(), 404);

    // The good token does work.
    let response = try_create(&host, Some(format!("Bearer {good}"))).await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn components_see_the_verified_identity_not_the_client_headers() {
    build_wasm(&["host-probe"]);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gateway.toml");
    let platform = std::fs::read_to_string(gateway_config()).unwrap();
    std::fs::write(
        &config,
        format!(
            "{platform}\n[[route]]\nprefix = \"/probe\"\nmethods = [\"GET\"]\nroles = [\"viewer\"]\n"
        ),
    )
    .unwrap();
    let host = TestHost::start("tests/apps/host-probe/spin.toml", |o| {
        o.gateway = Some(config.clone());
        o.variable_overrides = Some([("api_token".to_string(), "x".to_string())].into());
    })
    .await;
    let viewer = host.token("viewer", Some("SE2321000016-7TBY"));
    let seen: Value = host
        .client
        .get(host.url("/probe/headers"))
        .bearer_auth(&viewer)
        .header("x-mdm-roles", "platform-admin")
        .header("x-mdm-subject", "root")
        .header("x-mdm-integration", "free-rider")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["x-mdm-roles"], "viewer");
    assert_eq!(seen["x-mdm-subject"], "demo-viewer");
    assert_eq!(seen["x-mdm-organisations"], "SE2321000016-7TBY");
    assert!(seen.get("x-mdm-integration").is_none(), "{seen}");
}

#[tokio::test]
async fn health_is_public_and_metrics_are_for_the_host_itself() {
    let host = platform().await;
    let health = host.client.get(host.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let viewer = host.token("viewer", None);
    assert_eq!(
        host.get_as(&viewer, "/api/v1/units/SE2321000016-15CQ")
            .await
            .status(),
        200
    );
    let metrics = host.client.get(host.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains(r#"mdm_http_requests_total{component="unit-lookup",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains("mdm_http_request_duration_seconds_bucket"),
        "{text}"
    );
}

async fn usage_today(host: &TestHost, integration: &str) -> u64 {
    let programme = host.token("programme", None);
    let report: Value = host
        .get_as(
            &programme,
            &format!("/api/v1/integrations/{integration}/usage"),
        )
        .await
        .json()
        .await
        .unwrap();
    report["days"].as_array().unwrap().last().unwrap()["requests"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn integration_requests_are_metered_exactly_and_viewing_is_free() {
    let host = platform().await;
    let integration = host.token("integration", None);
    let viewer = host.token("viewer", None);
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let client = host.client.clone();
        let url = host.url("/api/v1/units/SE2321000016-15CQ");
        let token = integration.clone();
        tasks.push(tokio::spawn(async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    for _ in 0..5 {
        assert_eq!(
            host.get_as(&viewer, "/api/v1/units/SE2321000016-15CQ")
                .await
                .status(),
            200
        );
    }
    assert_eq!(usage_today(&host, "demo-integration").await, 30);
}

#[tokio::test]
async fn an_integration_over_its_rate_gets_429_with_retry_after() {
    let host = platform().await;
    let integration = host.token("integration", None);
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..80 {
        let response = host
            .get_as(&integration, "/api/v1/units/SE2321000016-15CQ")
            .await;
        if response.status() == 429 {
            retry_after = response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
        }
        statuses.push(response.status().as_u16());
    }
    let served = statuses.iter().filter(|&&s| s == 200).count() as u64;
    assert!(statuses.contains(&429), "{statuses:?}");
    let seconds: u64 = retry_after.expect("a Retry-After header").parse().unwrap();
    assert!(seconds >= 1, "{seconds}");
    // Refused requests are not charged.
    assert_eq!(usage_today(&host, "demo-integration").await, served);
    // People are not rate limited by the integration's limit.
    let viewer = host.token("viewer", None);
    assert_eq!(
        host.get_as(&viewer, "/api/v1/units/SE2321000016-15CQ")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn real_openid_provider_tokens_are_accepted_through_discovery_and_jwks() {
    let provider = OidcProvider::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gateway.toml");
    let platform = std::fs::read_to_string(gateway_config()).unwrap();
    // The platform's policy, with this provider as the issuer and the
    // provider's scope name for integrations.
    let platform = platform
        .replace(
            "url = \"https://idp.regionstockholm.se/realms/mdm\"",
            &format!("url = \"{}\"", provider.issuer()),
        )
        .replace(
            "contains = \"mdm.integration\"",
            "contains = \"mdm:integration\"",
        )
        .replace("# enabled = false", "enabled = false");
    std::fs::write(&config, platform).unwrap();
    let host = mdm_e2e::platform(&[DEMO_SEED], |o| o.gateway = Some(config.clone())).await;

    let token = provider
        .client_credentials_token(
            OidcProvider::INTEGRATION_CLIENT,
            OidcProvider::CLIENT_SECRET,
            "mdm:integration",
            OidcProvider::RESOURCE,
        )
        .await;
    let response = host.get_as(&token, "/api/v1/units/SE2321000016-15CQ").await;
    assert_eq!(response.status(), 200);
    let unit: Value = response.json().await.unwrap();
    assert_eq!(unit["hsa_id"], "SE2321000016-15CQ");

    // Integrations use data; they may not read the fee reports.
    let response = host
        .get_as(&token, "/api/v1/integrations/mdm-test-integration/usage")
        .await;
    assert_eq!(
        response.status(),
        403,
        "integrations may not read fee reports"
    );
}
