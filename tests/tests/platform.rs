//! The platform's four components through HTTP, as clients call them, on
//! the real manifest with the demo data.

use mdm_e2e::{Redis, TestHost, build_wasm, demo_platform, problem};
use serde_json::{Value, json};

/// GET as a person with the viewer role.
async fn view(host: &TestHost, path: &str) -> reqwest::Response {
    host.get_as(&host.token("viewer", None), path).await
}

fn new_unit(hsa_id: &str) -> Value {
    json!({
        "hsa_id": hsa_id,
        "name": "Testmottagning",
        "kind": "care-unit",
        "parent": "SE2321000016-0001",
        "care_provider": "SE2321000016-0001",
        "organisation_number": "232100-0016",
        "ownership": "region",
        "care_types": ["01"]
    })
}

#[tokio::test]
async fn stored_unit_is_read_with_its_version_as_etag() {
    let host = demo_platform(|_| {}).await;
    let response = view(&host, "/api/v1/units/SE2321000016-15CQ").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["etag"], "\"1\"");
    let unit: Value = response.json().await.unwrap();
    assert_eq!(unit["name"], "Husläkarmottagning Sveavägen");
    assert_eq!(unit["kind"], "care-unit");
    assert_eq!(unit["visiting_address"]["address"]["postal_code"], "111 34");

    let not_modified = host
        .client
        .get(host.url("/api/v1/units/SE2321000016-15CQ"))
        .bearer_auth(host.token("viewer", None))
        .header("if-none-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);
    assert_eq!(not_modified.headers()["etag"], "\"1\"");
}

#[tokio::test]
async fn unknown_unit_is_404_and_malformed_id_is_400() {
    let host = demo_platform(|_| {}).await;
    let body = problem(
        view(&host, "/api/v1/units/SE2321000016-NOPE").await,
        404,
        "not-found",
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("SE2321000016-NOPE")
    );
    let body = problem(
        view(&host, "/api/v1/units/not-an-id").await,
        400,
        "invalid-hsa-id",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("SE"), "{body}");
    // No role may delete through unit-lookup: the gateway's policy says so.
    problem(
        host.client
            .delete(host.url("/api/v1/units/SE2321000016-15CQ"))
            .bearer_auth(host.token("platform-admin", None))
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn producer_creates_a_unit_once() {
    let host = demo_platform(|_| {}).await;
    let created = host.create_unit(&new_unit("SE2321000016-T001")).await;
    assert_eq!(created.status(), 201);
    assert_eq!(
        created.headers()["location"],
        "/api/v1/units/SE2321000016-T001"
    );
    assert_eq!(created.headers()["etag"], "\"1\"");
    let unit: Value = created.json().await.unwrap();
    assert_eq!(unit["version"], 1);
    assert_eq!(unit["source"], "mdm");
    assert_eq!(unit["status"], "active");
    assert_eq!(unit["organisation_number"], "2321000016");

    let read: Value = view(&host, "/api/v1/units/SE2321000016-T001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read, unit, "what was created is what is read");

    let mut changed = new_unit("SE2321000016-T001");
    changed["name"] = json!("Another name");
    problem(host.create_unit(&changed).await, 409, "unit-exists").await;
    let again: Value = view(&host, "/api/v1/units/SE2321000016-T001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["name"], "Testmottagning",
        "a refused create changes nothing"
    );
}

#[tokio::test]
async fn bad_producer_input_is_refused_and_changes_nothing() {
    let host = demo_platform(|_| {}).await;
    let id = "SE2321000016-T002";
    let post_raw = |body: &'static str, content_type: &'static str| {
        host.client
            .post(host.url("/api/v1/producer/units"))
            .bearer_auth(host.token("producer", None))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    problem(
        post_raw("{not json", "application/json").await.unwrap(),
        400,
        "malformed-body",
    )
    .await;
    problem(
        post_raw("{}", "text/plain").await.unwrap(),
        415,
        "unsupported-media-type",
    )
    .await;

    let mut unknown = new_unit(id);
    unknown["colour"] = json!("blue");
    let body = problem(host.create_unit(&unknown).await, 400, "malformed-body").await;
    assert!(
        body["detail"].as_str().unwrap().contains("colour"),
        "{body}"
    );

    // Server-owned fields cannot be set by clients (mass assignment).
    let mut owned = new_unit(id);
    owned["version"] = json!(42);
    let body = problem(host.create_unit(&owned).await, 400, "malformed-body").await;
    assert!(
        body["detail"].as_str().unwrap().contains("version"),
        "{body}"
    );

    let mut bad_org = new_unit(id);
    bad_org["organisation_number"] = json!("2321000017");
    let body = problem(host.create_unit(&bad_org).await, 422, "invalid-unit").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("organisation_number"),
        "{body}"
    );

    let mut bad_parent = new_unit(id);
    bad_parent["parent"] = json!("SE2321000016-ÅÄÖ");
    let body = problem(host.create_unit(&bad_parent).await, 422, "invalid-unit").await;
    assert!(
        body["detail"].as_str().unwrap().starts_with("parent"),
        "{body}"
    );

    let mut unverified = new_unit(id);
    unverified["visiting_address"] = json!({
        "street": "Ingenstans", "number": "1", "postal_code": "111 11", "post_town": "Stockholm"
    });
    let body = problem(host.create_unit(&unverified).await, 422, "unknown-address").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("Ingenstans 1, 111 11"),
        "{body}"
    );

    problem(
        view(&host, &format!("/api/v1/units/{id}")).await,
        404,
        "not-found",
    )
    .await;
}

#[tokio::test]
async fn address_places_and_orders_are_read_from_the_store() {
    let host = demo_platform(|_| {}).await;
    let place = view(
        &host,
        "/api/v1/address-register/places/8c1b6a2e-0f4d-4a8e-9a55-3f0e2d9c1b70",
    )
    .await;
    assert_eq!(place.status(), 200);
    let place: Value = place.json().await.unwrap();
    assert_eq!(place["address"]["street"], "Sveavägen");
    assert_eq!(place["status"], "current");
    problem(
        view(
            &host,
            "/api/v1/address-register/places/00000000-0000-4000-8000-000000000000",
        )
        .await,
        404,
        "not-found",
    )
    .await;
    problem(
        view(&host, "/api/v1/address-register/places/not-a-uuid").await,
        400,
        "invalid-register-id",
    )
    .await;

    let programme = host.token("programme", None);
    let order = host
        .get_as(&programme, "/api/v1/orders/ord-2026-0001")
        .await;
    assert_eq!(order.status(), 200);
    let order: Value = order.json().await.unwrap();
    assert_eq!(order["status"], "signed");
    problem(
        host.get_as(&programme, "/api/v1/orders/ord-1999-0404")
            .await,
        404,
        "not-found",
    )
    .await;
}

#[tokio::test]
async fn concurrent_creates_of_one_unit_have_exactly_one_winner_on_redis() {
    let redis = Redis::start();
    let config = redis.runtime_config("default");
    let host = demo_platform(|o| o.runtime_config = Some(config)).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let client = host.client.clone();
        let url = host.url("/api/v1/producer/units");
        let token = host.token("producer", None);
        let mut body = new_unit("SE2321000016-RACE");
        body["name"] = json!(format!("Contender {i}"));
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|&&s| s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 409).count(),
        49,
        "{statuses:?}"
    );
    // The seeded data is in Redis too.
    assert_eq!(
        view(&host, "/api/v1/units/SE2321000016-15CQ")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn undefined_store_label_fails_start_up() {
    build_wasm(&["unit-lookup"]);
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("spin.toml");
    let wasm = mdm_e2e::root().join("target/wasm32-wasip2/release/unit_lookup.wasm");
    std::fs::write(
        &manifest,
        format!(
            "spin_manifest_version = 2\n[application]\nname = \"x\"\n\
             [[trigger.http]]\nroute = \"/...\"\ncomponent = \"a\"\n\
             [component.a]\nsource = \"{}\"\nkey_value_stores = [\"audit\"]\n",
            wasm.display()
        ),
    )
    .unwrap();
    let err = TestHost::try_start(manifest.to_str().unwrap(), &[], |_| {})
        .await
        .err()
        .expect("an undefined store must fail start-up");
    assert!(format!("{err:#}").contains("audit"), "{err:#}");
}

#[tokio::test]
async fn integration_usage_is_reported_per_day_with_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("usage.json");
    std::fs::write(
        &seed,
        json!({"documents": {
            "usage/journal-norr/2026-11-30": 5,
            "usage/journal-norr/2026-12-02": 7,
            "usage/someone-else/2026-12-01": 100
        }})
        .to_string(),
    )
    .unwrap();
    let host = mdm_e2e::platform(&[seed.to_str().unwrap()], |_| {}).await;
    let programme = host.token("programme", None);

    let response = host
        .get_as(
            &programme,
            "/api/v1/integrations/journal-norr/usage?from=2026-11-30&to=2026-12-02",
        )
        .await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(
        report,
        json!({
            "integration": "journal-norr",
            "from": "2026-11-30",
            "to": "2026-12-02",
            "total": 12,
            "days": [
                {"date": "2026-11-30", "requests": 5},
                {"date": "2026-12-01", "requests": 0},
                {"date": "2026-12-02", "requests": 7}
            ]
        })
    );

    // Without a range: the last 30 days up to today.
    let report: Value = host
        .get_as(&programme, "/api/v1/integrations/journal-norr/usage")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["days"].as_array().unwrap().len(), 30);

    for (query, needle) in [
        ("from=2026-02-30", "from"),
        ("from=2026-12-03&to=2026-12-01", "after"),
        ("from=2024-01-01&to=2026-01-01", "at most 366"),
        ("since=2026-01-01", "since"),
    ] {
        let body = problem(
            host.get_as(
                &programme,
                &format!("/api/v1/integrations/journal-norr/usage?{query}"),
            )
            .await,
            400,
            "invalid-query",
        )
        .await;
        assert!(
            body["detail"].as_str().unwrap().contains(needle),
            "{query}: {body}"
        );
    }
    problem(
        host.get_as(&programme, "/api/v1/integrations/bad%20id/usage")
            .await,
        400,
        "invalid-integration-id",
    )
    .await;
}

#[tokio::test]
async fn producers_create_units_only_for_their_own_care_provider() {
    let host = demo_platform(|_| {}).await;
    let other = host.token("producer", Some("SE5565594230-0001"));
    let response = host
        .client
        .post(host.url("/api/v1/producer/units"))
        .bearer_auth(&other)
        .json(&new_unit("SE2321000016-T003"))
        .send()
        .await
        .unwrap();
    let body = problem(response, 403, "forbidden").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("SE5565594230-0001"),
        "{body}"
    );
    problem(
        view(&host, "/api/v1/units/SE2321000016-T003").await,
        404,
        "not-found",
    )
    .await;

    // A created unit records who created it.
    let created: Value = host
        .create_unit(&new_unit("SE2321000016-T003"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created["created_by"], "demo-producer");
}
