//! Address validation through HTTP, as clients call it, on the real manifest
//! behind the gateway, with the demo register imported.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mdm_e2e::{TestHost, demo_platform, problem};
use serde_json::{Value, json};

async fn validate_raw(host: &TestHost, content_type: &str, body: &str) -> reqwest::Response {
    host.client
        .post(host.url("/api/v1/addresses/validate"))
        .bearer_auth(host.token("viewer", None))
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

async fn validate(host: &TestHost, request: Value) -> Value {
    let response = validate_raw(host, "application/json", &request.to_string()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.unwrap()
}

async fn line(host: &TestHost, text: &str) -> Value {
    validate(host, json!({ "line": text })).await
}

/// `street number[ letter], postal code` of each suggestion, with its reason.
fn suggestions(result: &Value) -> Vec<(String, String)> {
    result["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let a = &s["address"];
            let mut label = format!(
                "{} {}",
                a["street"].as_str().unwrap(),
                a["number"].as_str().unwrap_or("")
            );
            if let Some(letter) = a["letter"].as_str() {
                label.push_str(&format!(" {letter}"));
            }
            label.push_str(&format!(", {}", a["postal_code"].as_str().unwrap()));
            (label, s["reason"].as_str().unwrap().to_string())
        })
        .collect()
}

#[tokio::test]
async fn each_outcome_of_validation() {
    let host = demo_platform(|_| {}).await;

    let valid = line(&host, "sveavägen 44 lgh 1101, 11134 STOCKHOLM").await;
    assert_eq!(valid["outcome"], "valid", "{valid}");
    assert_eq!(valid["register_id"], "8c1b6a2e-0f4d-4a8e-9a55-3f0e2d9c1b70");
    assert_eq!(valid["address"]["street"], "Sveavägen");
    assert_eq!(valid["address"]["postal_code"], "111 34");
    assert_eq!(valid["address"]["municipality_code"], "0180");
    assert_eq!(valid["apartment"], "1101");
    assert!(valid["suggestions"].as_array().unwrap().is_empty());

    let parts = validate(
        &host,
        json!({"address": {"street": "Storgatan", "number": "12b", "postal_code": "17148", "post_town": "solna"}}),
    )
    .await;
    assert_eq!(parts["outcome"], "valid", "{parts}");
    assert_eq!(parts["register_id"], "2f9e7d41-6c3a-4b1e-8f20-7a5d9c0e4b12");
    assert_eq!(parts["normalised"]["letter"], "B");
    assert_eq!(parts["normalised"]["post_town"], "Solna");

    let neighbour = line(&host, "Sveavägen 50, 111 34 Stockholm").await;
    assert_eq!(neighbour["outcome"], "unknown", "{neighbour}");
    assert!(
        neighbour["message"]
            .as_str()
            .unwrap()
            .contains("Sveavägen 50, 111 34")
    );
    let got = suggestions(&neighbour);
    assert_eq!(
        got[0],
        (
            "Sveavägen 50, 113 59".to_string(),
            "neighbouring-postal-code".to_string()
        ),
        "{got:?}"
    );
    assert!(got.iter().any(|(_, r)| r == "other-number"), "{got:?}");

    let misspelt = line(&host, "Svevägen 44, 111 34 Stockholm").await;
    assert_eq!(misspelt["outcome"], "unknown", "{misspelt}");
    assert!(
        suggestions(&misspelt).contains(&(
            "Sveavägen 44, 111 34".to_string(),
            "similar-street".to_string()
        )),
        "{misspelt}"
    );

    let ambiguous = line(&host, "Storgatan 12, 171 48 Solna").await;
    assert_eq!(ambiguous["outcome"], "ambiguous", "{ambiguous}");
    let candidates = suggestions(&ambiguous);
    for letter in ["A", "B", "C"] {
        assert!(
            candidates.contains(&(
                format!("Storgatan 12 {letter}, 171 48"),
                "candidate".to_string()
            )),
            "{candidates:?}"
        );
    }

    let limited = validate(
        &host,
        json!({"line": "Storgatan 12, 171 48 Solna", "max_suggestions": 1}),
    )
    .await;
    assert_eq!(limited["suggestions"].as_array().unwrap().len(), 1);

    let boxed = line(&host, "Box 123, 111 34 Stockholm").await;
    assert_eq!(boxed["outcome"], "invalid", "{boxed}");
    assert!(
        boxed["message"].as_str().unwrap().contains("Box 123"),
        "{boxed}"
    );
    assert!(boxed["field"].is_string());

    let bad_code = validate(
        &host,
        json!({"address": {"street": "Sveavägen 44", "postal_code": "011 34"}}),
    )
    .await;
    assert_eq!(bad_code["outcome"], "invalid", "{bad_code}");
    assert_eq!(bad_code["field"], "postal_code");
}

#[tokio::test]
async fn bad_validation_requests_are_refused_clearly() {
    let host = demo_platform(|_| {}).await;
    problem(
        validate_raw(&host, "application/json", "{\"line\": ").await,
        400,
        "malformed-body",
    )
    .await;
    let unknown = problem(
        validate_raw(&host, "application/json", r#"{"lines": "Sveavägen 44"}"#).await,
        400,
        "malformed-body",
    )
    .await;
    assert!(
        unknown["detail"].as_str().unwrap().contains("lines"),
        "{unknown}"
    );
    problem(
        validate_raw(
            &host,
            "application/json",
            r#"{"address": {"street": "Sveavägen", "nummer": "44"}}"#,
        )
        .await,
        400,
        "malformed-body",
    )
    .await;
    problem(
        validate_raw(&host, "text/plain", "Sveavägen 44").await,
        415,
        "unsupported-media-type",
    )
    .await;
    problem(
        validate_raw(
            &host,
            "application/json",
            r#"{"line": "Sveavägen 44", "address": {"street": "Sveavägen"}}"#,
        )
        .await,
        422,
        "invalid-request",
    )
    .await;
    problem(
        validate_raw(&host, "application/json", "{}").await,
        422,
        "invalid-request",
    )
    .await;
    problem(
        validate_raw(
            &host,
            "application/json",
            r#"{"line": "Sveavägen 44", "max_suggestions": 50}"#,
        )
        .await,
        422,
        "invalid-request",
    )
    .await;
    let anonymous = host
        .client
        .post(host.url("/api/v1/addresses/validate"))
        .json(&json!({"line": "Sveavägen 44"}))
        .send()
        .await
        .unwrap();
    problem(anonymous, 401, "unauthenticated").await;
}

#[tokio::test]
async fn streets_are_looked_up_by_postal_code_and_prefix() {
    let host = demo_platform(|_| {}).await;
    let viewer = host.token("viewer", None);
    let response = host
        .get_as(&viewer, "/api/v1/addresses?postal_code=11134&street=SVEA")
        .await;
    assert_eq!(response.status(), 200);
    let listed: Value = response.json().await.unwrap();
    let sveavagen = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["street"] == "Sveavägen")
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(sveavagen["postal_code"], "111 34");
    let numbers: Vec<&str> = sveavagen["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    for n in ["40", "42", "44", "46"] {
        assert!(numbers.contains(&n), "{numbers:?}");
    }
    assert!(
        listed.as_array().unwrap().iter().all(|s| s["street"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .starts_with("svea")),
        "{listed}"
    );

    let everywhere: Value = host
        .get_as(&viewer, "/api/v1/addresses?street=Sveav%C3%A4gen")
        .await
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = everywhere
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["postal_code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"111 34") && codes.contains(&"113 59"),
        "{codes:?}"
    );

    problem(
        host.get_as(&viewer, "/api/v1/addresses?postal_code=0113")
            .await,
        400,
        "invalid-query",
    )
    .await;
    problem(
        host.get_as(&viewer, "/api/v1/addresses?postcode=11134")
            .await,
        400,
        "invalid-query",
    )
    .await;
    problem(
        host.get_as(&viewer, "/api/v1/addresses").await,
        400,
        "invalid-query",
    )
    .await;
    problem(
        host.get_as(&viewer, "/api/v1/addresses?postal_code=11134&limit=0")
            .await,
        400,
        "invalid-query",
    )
    .await;
}

fn place_line(id: &str, version: u32, street: &str, number: &str, status: &str) -> String {
    json!({
        "objektidentitet": id, "objektversion": version, "adressomrade": street,
        "adressplatsnummer": number, "postnummer": "118 20", "postort": "Stockholm",
        "kommunkod": "0180", "kommunnamn": "Stockholm", "status": status,
        "nordkoordinat": 6578000.5, "ostkoordinat": 673000.25
    })
    .to_string()
}

async fn import(
    host: &TestHost,
    role: &str,
    content_type: &str,
    body: String,
) -> reqwest::Response {
    host.client
        .post(host.url("/api/v1/address-register/import"))
        .bearer_auth(host.token(role, None))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_platform_team_imports_places_idempotently() {
    let host = demo_platform(|_| {}).await;
    let a = "a0000000-0000-4000-8000-000000000001";
    let b = "a0000000-0000-4000-8000-000000000002";
    let body = [
        place_line(a, 1, "Testgränd", "1", "gällande"),
        place_line(b, 1, "Testgränd", "3", "gällande"),
        "{\"objektidentitet\": 12}".to_string(),
        place_line("not-a-uuid", 1, "Testgränd", "5", "gällande"),
    ]
    .join("\n");

    let response = import(
        &host,
        "platform-admin",
        "application/x-ndjson",
        body.clone(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["received"], 4, "{report}");
    assert_eq!(report["created"], 2, "{report}");
    assert_eq!(report["rejected"], 2, "{report}");
    let lines: Vec<u64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4]);
    assert!(
        report["errors"][1]["message"]
            .as_str()
            .unwrap()
            .contains("UUID"),
        "{report}"
    );

    let again: Value = import(&host, "platform-admin", "application/x-ndjson", body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            again["created"].as_u64(),
            again["updated"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(2)),
        "{again}"
    );

    let found = line(&host, "Testgränd 3, 118 20 Stockholm").await;
    assert_eq!(found["outcome"], "valid", "{found}");
    assert_eq!(found["register_id"], b);

    // CSV: a new version moves b to number 7; a is withdrawn.
    let csv = format!(
        "objektidentitet,objektversion,adressomrade,adressplatsnummer,postnummer,postort,kommunkod,kommunnamn,status\n\
         {b},2,Testgränd,7,118 20,Stockholm,0180,Stockholm,gällande\n\
         {a},2,Testgränd,1,118 20,Stockholm,0180,Stockholm,avregistrerad\n"
    );
    let report: Value = import(&host, "platform-admin", "text/csv", csv)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (report["updated"].as_u64(), report["removed"].as_u64()),
        (Some(1), Some(1)),
        "{report}"
    );
    assert_eq!(
        line(&host, "Testgränd 7, 118 20 Stockholm").await["outcome"],
        "valid"
    );
    let old = line(&host, "Testgränd 3, 118 20 Stockholm").await;
    assert_eq!(old["outcome"], "unknown", "{old}");
    assert_eq!(
        line(&host, "Testgränd 1, 118 20 Stockholm").await["outcome"],
        "unknown"
    );
    let viewer = host.token("viewer", None);
    assert_eq!(
        host.get_as(&viewer, &format!("/api/v1/address-register/places/{a}"))
            .await
            .status(),
        404
    );
    let place: Value = host
        .get_as(&viewer, &format!("/api/v1/address-register/places/{b}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(place["register_version"], 2);
    assert_eq!(place["northing"], serde_json::Value::Null);
}

#[tokio::test]
async fn imports_are_refused_to_others_and_in_other_shapes() {
    let host = demo_platform(|_| {}).await;
    let one = place_line(
        "b0000000-0000-4000-8000-000000000001",
        1,
        "Vägrad väg",
        "1",
        "gällande",
    );
    for role in ["viewer", "producer", "programme"] {
        problem(
            import(&host, role, "application/x-ndjson", one.clone()).await,
            403,
            "forbidden",
        )
        .await;
    }
    problem(
        import(&host, "platform-admin", "application/json", one.clone()).await,
        415,
        "unsupported-media-type",
    )
    .await;
    problem(
        import(
            &host,
            "platform-admin",
            "text/csv",
            "objektidentitet,gata\n".into(),
        )
        .await,
        400,
        "malformed-body",
    )
    .await;
    let too_many = (0..10_001)
        .map(|i| {
            place_line(
                &format!("c0000000-0000-4000-8000-{i:012}"),
                1,
                "Stor väg",
                &(i + 1).to_string(),
                "gällande",
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    problem(
        import(&host, "platform-admin", "application/x-ndjson", too_many).await,
        413,
        "too-many-lines",
    )
    .await;
    // Nothing of the refused requests was written.
    let result = line(&host, "Vägrad väg 1, 118 20 Stockholm").await;
    assert_eq!(result["outcome"], "unknown", "{result}");
    let result = line(&host, "Stor väg 1, 118 20 Stockholm").await;
    assert_eq!(result["outcome"], "unknown", "{result}");
}

fn unit(hsa_id: &str, address: Value) -> Value {
    json!({
        "hsa_id": hsa_id, "name": "Adressmottagning", "kind": "care-unit",
        "parent": "SE2321000016-0001", "care_provider": "SE2321000016-0001",
        "organisation_number": "2321000016", "ownership": "region",
        "visiting_address": address
    })
}

#[tokio::test]
async fn units_take_only_register_addresses_in_the_register_spelling() {
    let host = demo_platform(|_| {}).await;
    let created = host.create_unit(&unit("SE2321000016-AD01", json!({"street": "fleminggatan", "number": "22", "postal_code": "11226", "post_town": "STOCKHOLM"})),
    )
    .await;
    assert_eq!(created.status(), 201);
    let stored: Value = created.json().await.unwrap();
    let address = &stored["visiting_address"];
    assert_eq!(address["address"]["street"], "Fleminggatan", "{stored}");
    assert_eq!(address["address"]["postal_code"], "112 26");
    assert_eq!(address["address"]["post_town"], "Stockholm");
    assert_eq!(address["verification"]["source"], "lantmateriet-register");
    assert!(
        address["verification"]["register_id"]
            .as_str()
            .unwrap()
            .len()
            == 36
    );

    let refused = host.create_unit(&unit("SE2321000016-AD02", json!({"street": "Sveavägen", "number": "45", "postal_code": "111 34", "post_town": "Stockholm"})),
    )
    .await;
    let body = problem(refused, 422, "unknown-address").await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("Sveavägen 45, 111 34 Stockholm"),
        "{detail}"
    );
    assert!(detail.contains("Did you mean"), "{detail}");
    assert!(
        !body["suggestions"].as_array().unwrap().is_empty(),
        "{body}"
    );

    let boxed = host
        .create_unit(&unit(
            "SE2321000016-AD03",
            json!({"street": "Box 1234", "postal_code": "111 34", "post_town": "Stockholm"}),
        ))
        .await;
    problem(boxed, 422, "invalid-address").await;

    let viewer = host.token("viewer", None);
    for id in ["SE2321000016-AD02", "SE2321000016-AD03"] {
        assert_eq!(
            host.get_as(&viewer, &format!("/api/v1/units/{id}"))
                .await
                .status(),
            404
        );
    }
}

/// A stand-in for Lantmäteriet's online address API: knows one place our
/// copy does not, and counts the calls and the credential it was sent.
struct StandIn {
    addr: SocketAddr,
    calls: Arc<AtomicUsize>,
    authorised: Arc<AtomicUsize>,
}

const ONLINE_ID: &str = "0d1e2f30-4a5b-4c6d-8e9f-a0b1c2d3e4f5";

async fn stand_in() -> StandIn {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let authorised = Arc::new(AtomicUsize::new(0));
    let (c, a) = (calls.clone(), authorised.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (c, a) = (c.clone(), a.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    c.fetch_add(1, Ordering::SeqCst);
                    let key = req
                        .headers()
                        .get("authorization")
                        .and_then(|v| v.to_str().ok());
                    if key == Some("Bearer test-key") {
                        a.fetch_add(1, Ordering::SeqCst);
                    }
                    let response =
                        stand_in_answer(req.uri().path(), req.uri().query().unwrap_or(""));
                    async move { Ok::<_, Infallible>(response) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    StandIn {
        addr,
        calls,
        authorised,
    }
}

fn stand_in_answer(path: &str, query: &str) -> hyper::Response<Full<Bytes>> {
    let body = if path == "/dist/referens/fritext" && query.contains("Nybyggev%C3%A4gen") {
        json!([{"objektidentitet": ONLINE_ID, "beteckning": "Nybyggevägen 1, 118 20 Stockholm"}])
    } else if path == "/dist/referens/fritext" {
        json!([])
    } else if path == format!("/dist/{ONLINE_ID}") {
        json!({"objektidentitet": ONLINE_ID, "objektversion": 1, "adressomrade": "Nybyggevägen",
               "adressplatsnummer": "1", "postnummer": "118 20", "postort": "Stockholm",
               "kommunkod": "0180", "kommunnamn": "Stockholm", "status": "gällande"})
    } else {
        return hyper::Response::builder()
            .status(404)
            .body(Full::new(Bytes::new()))
            .unwrap();
    };
    hyper::Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

#[tokio::test]
async fn the_online_register_is_asked_when_our_copy_does_not_know() {
    let online = stand_in().await;
    let origin = format!("http://{}", online.addr);
    let host = demo_platform(|o| {
        o.variable_overrides = Some(
            [
                ("lantmateriet_url".to_string(), format!("{origin}/dist")),
                ("lantmateriet_origin".to_string(), origin.clone()),
                ("lantmateriet_api_key".to_string(), "test-key".to_string()),
            ]
            .into(),
        );
    })
    .await;

    // Our copy answers first: no call for an address it knows.
    assert_eq!(
        line(&host, "Sveavägen 44, 111 34 Stockholm").await["outcome"],
        "valid"
    );
    assert_eq!(online.calls.load(Ordering::SeqCst), 0);

    let found = line(&host, "Nybyggevägen 1, 118 20 Stockholm").await;
    assert_eq!(found["outcome"], "valid", "{found}");
    assert_eq!(found["register_id"], ONLINE_ID);
    assert!(
        found["message"].as_str().unwrap().contains("online"),
        "{found}"
    );
    assert!(
        online.authorised.load(Ordering::SeqCst) >= 2,
        "the key goes with every call"
    );

    let still_unknown = line(&host, "Ingenstansvägen 9, 118 20 Stockholm").await;
    assert_eq!(still_unknown["outcome"], "unknown", "{still_unknown}");

    let created = host.create_unit(&unit("SE2321000016-ON01", json!({"street": "Nybyggevägen", "number": "1", "postal_code": "118 20", "post_town": "Stockholm"})),
    )
    .await;
    assert_eq!(created.status(), 201);
    let stored: Value = created.json().await.unwrap();
    assert_eq!(
        stored["visiting_address"]["verification"]["source"],
        "lantmateriet-online"
    );
    assert_eq!(
        stored["visiting_address"]["verification"]["register_id"],
        ONLINE_ID
    );
}

#[tokio::test]
async fn an_unreachable_online_register_leaves_the_local_answer() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let origin = format!("http://{closed}");
    let host = demo_platform(|o| {
        o.variable_overrides = Some(
            [
                ("lantmateriet_url".to_string(), origin.clone()),
                ("lantmateriet_origin".to_string(), origin.clone()),
            ]
            .into(),
        );
    })
    .await;
    let result = line(&host, "Nybyggevägen 1, 118 20 Stockholm").await;
    assert_eq!(result["outcome"], "unknown", "{result}");
}
