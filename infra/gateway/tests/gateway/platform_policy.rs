//! The platform's own policy (`infra/gateway.toml`), persona by persona.

use http::Method;
use mdm_gateway::{Identity, Role, RoutePolicy};

use crate::support::platform_config;

fn persona(roles: &[Role]) -> Identity {
    Identity {
        subject: "someone".into(),
        roles: roles.iter().copied().collect(),
        organisations: vec![],
        integration: roles
            .contains(&Role::Integration)
            .then(|| "journal".to_string()),
    }
}

#[test]
fn each_persona_reaches_exactly_its_part_of_the_api() {
    use Role::*;
    let policy = RoutePolicy::from_config(&platform_config());
    let viewer = &[Viewer][..];
    let producer = &[Producer, Viewer][..];
    let private_producer = &[PrivateProducer, Viewer][..];
    let orderer = &[Orderer, Viewer][..];
    let programme = &[Programme, Viewer][..];
    let admin = &[PlatformAdmin, Viewer][..];
    let integration = &[Integration][..];
    let everyone = [
        viewer,
        producer,
        private_producer,
        orderer,
        programme,
        admin,
        integration,
    ];

    // (method, path, who may)
    let table: Vec<(Method, &str, Vec<&[Role]>)> = vec![
        (
            Method::GET,
            "/api/v1/units/SE2321000016-15CQ",
            everyone.to_vec(),
        ),
        (
            Method::HEAD,
            "/api/v1/units/SE2321000016-15CQ",
            everyone.to_vec(),
        ),
        (Method::GET, "/api/v1/changes/since/42", everyone.to_vec()),
        (Method::GET, "/api/v1/addresses/search", everyone.to_vec()),
        (
            Method::POST,
            "/api/v1/addresses/validate",
            everyone.to_vec(),
        ),
        (
            Method::GET,
            "/api/v1/address-register/places/8c1b6a2e",
            everyone.to_vec(),
        ),
        (
            Method::POST,
            "/api/v1/address-register/imports",
            vec![admin],
        ),
        (
            Method::POST,
            "/api/v1/producer/units",
            vec![producer, private_producer],
        ),
        (
            Method::PUT,
            "/api/v1/producer/units/SE2321000016-15CQ",
            vec![producer, private_producer],
        ),
        (
            Method::GET,
            "/api/v1/orders/ord-2026-0001",
            vec![orderer, programme],
        ),
        (Method::POST, "/api/v1/orders", vec![orderer]),
        (
            Method::POST,
            "/api/v1/orders/ord-2026-0001/signature",
            vec![orderer],
        ),
        (
            Method::POST,
            "/api/v1/orders/ord-2026-0001/review",
            vec![programme],
        ),
        (
            Method::POST,
            "/api/v1/orders/ord-2026-0001/approval",
            vec![programme],
        ),
        (
            Method::GET,
            "/api/v1/integrations/journal/usage",
            vec![programme, admin],
        ),
        // writes nobody has a rule for
        (Method::DELETE, "/api/v1/units/SE2321000016-15CQ", vec![]),
        (Method::POST, "/api/v1/units", vec![]),
        (Method::POST, "/api/v1/integrations/journal/usage", vec![]),
        (Method::GET, "/api/v2/units/x", vec![]),
        (Method::GET, "/", vec![]),
    ];
    let mut wrong = Vec::new();
    for (method, path, allowed) in &table {
        for who in everyone {
            let expected = allowed.contains(&who);
            let got = policy.authorize(&persona(who), method, path).is_ok();
            if got != expected {
                wrong.push(format!(
                    "{who:?} {method} {path}: allowed={got}, expected {expected}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn health_is_public_and_nothing_else_is() {
    let policy = RoutePolicy::from_config(&platform_config());
    assert!(policy.is_public("/healthz"));
    assert!(policy.is_public("/.well-known/spin/health"));
    assert!(!policy.is_public("/.well-known/spin/info"));
    assert!(!policy.is_public("/api/v1/units/x"));
}
