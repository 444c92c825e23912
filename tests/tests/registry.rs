//! The unit registry through HTTP: producers' versioned writes, history,
//! idempotent retries and the change feed, on SQLite and on Redis.

use std::collections::{BTreeMap, BTreeSet};

use mdm_e2e::{Redis, TestHost, platform, problem};
use serde_json::{Value, json};

const SEED: &str = mdm_e2e::DEMO_SEED;
const REGISTER: &str = mdm_e2e::DEMO_REGISTER;
const PROVIDER: &str = "SE2321000016-0001";

fn input(hsa_id: &str, name: &str) -> Value {
    json!({
        "hsa_id": hsa_id, "name": name, "kind": "care-unit", "parent": PROVIDER,
        "care_provider": PROVIDER, "organisation_number": "2321000016", "ownership": "region",
        "care_types": ["01"], "municipality_code": "0180",
        "visiting_address": {"street": "Sveavägen", "number": "44", "postal_code": "111 34", "post_town": "Stockholm"}
    })
}

struct Producer<'a> {
    host: &'a TestHost,
    token: String,
}

impl<'a> Producer<'a> {
    fn new(host: &'a TestHost) -> Self {
        Self {
            token: host.token("producer", None),
            host,
        }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.host
            .client
            .request(method, self.host.url(path))
            .bearer_auth(&self.token)
    }

    async fn create(&self, body: &Value) -> reqwest::Response {
        self.request(reqwest::Method::POST, "/api/v1/producer/units")
            .json(body)
            .send()
            .await
            .unwrap()
    }

    async fn put(&self, hsa_id: &str, if_match: Option<&str>, body: &Value) -> reqwest::Response {
        let mut request = self
            .request(
                reqwest::Method::PUT,
                &format!("/api/v1/producer/units/{hsa_id}"),
            )
            .json(body);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        request.send().await.unwrap()
    }

    async fn patch(&self, hsa_id: &str, if_match: &str, body: &Value) -> reqwest::Response {
        self.request(
            reqwest::Method::PATCH,
            &format!("/api/v1/producer/units/{hsa_id}"),
        )
        .header("if-match", if_match)
        .header("content-type", "application/merge-patch+json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
    }

    async fn retire(&self, hsa_id: &str, if_match: &str) -> reqwest::Response {
        self.request(
            reqwest::Method::DELETE,
            &format!("/api/v1/producer/units/{hsa_id}"),
        )
        .header("if-match", if_match)
        .send()
        .await
        .unwrap()
    }
}

async fn get(host: &TestHost, path: &str) -> (u16, Option<String>, Value) {
    let response = host.get_as(&host.token("viewer", None), path).await;
    let status = response.status().as_u16();
    let tag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string());
    (status, tag, response.json().await.unwrap_or(Value::Null))
}

/// Every change of the feed from `since` 0, paging with `limit`.
async fn feed(host: &TestHost, limit: u64) -> Vec<Value> {
    let mut since = 0;
    let mut all = Vec::new();
    loop {
        let (status, _, page) = get(
            host,
            &format!("/api/v1/changes?since={since}&limit={limit}"),
        )
        .await;
        assert_eq!(status, 200, "{page}");
        let next = page["next_since"].as_u64().unwrap();
        all.extend(page["changes"].as_array().unwrap().iter().cloned());
        if next == since {
            return all;
        }
        since = next;
    }
}

#[tokio::test]
async fn producers_replace_patch_and_retire_with_if_match() {
    let host = platform(&[SEED, REGISTER], |_| {}).await;
    let producer = Producer::new(&host);
    let id = "SE2321000016-RG01";
    let created = producer.create(&input(id, "Registermottagning")).await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["etag"], "\"1\"");

    // PUT: If-Match is required and must be current.
    let mut renamed = input(id, "Registermottagning City");
    problem(
        producer.put(id, None, &renamed).await,
        428,
        "precondition-required",
    )
    .await;
    problem(
        producer.put(id, Some("\"7\""), &renamed).await,
        412,
        "precondition-failed",
    )
    .await;
    problem(
        producer.put(id, Some("W/\"1\""), &renamed).await,
        412,
        "precondition-failed",
    )
    .await;
    let replaced = producer.put(id, Some("\"1\""), &renamed).await;
    assert_eq!(replaced.status(), 200);
    assert_eq!(replaced.headers()["etag"], "\"2\"");
    let unit: Value = replaced.json().await.unwrap();
    assert_eq!(unit["name"], "Registermottagning City");
    assert_eq!(unit["version"], 2);
    assert_eq!(unit["created_by"], unit["updated_by"]);
    assert_eq!(
        unit["visiting_address"]["verification"]["source"],
        "lantmateriet-register"
    );

    // Mass assignment and unknown fields are refused, and change nothing.
    renamed["version"] = json!(99);
    let body = problem(
        producer.put(id, Some("\"2\""), &renamed).await,
        400,
        "malformed-body",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("version"),
        "{body}"
    );
    let body = problem(
        producer
            .patch(id, "\"2\"", &json!({"status": "retired"}))
            .await,
        422,
        "invalid-unit",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("status"),
        "{body}"
    );
    problem(
        producer
            .put(id, Some("\"2\""), &input("SE2321000016-RG02", "Annan"))
            .await,
        422,
        "invalid-unit",
    )
    .await;
    let wrong_type = producer
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v1/producer/units/{id}"),
        )
        .header("if-match", "\"2\"")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    problem(wrong_type, 415, "unsupported-media-type").await;
    let malformed = producer
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v1/producer/units/{id}"),
        )
        .header("if-match", "\"2\"")
        .header("content-type", "application/merge-patch+json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    problem(malformed, 400, "malformed-body").await;

    // PATCH: a merge patch; a new address is checked against the register.
    let patched = producer
        .patch(
            id,
            "\"2\"",
            &json!({"contact": {"phone": "+46 8 123 00"}, "care_types": ["01", "02"]}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let unit: Value = patched.json().await.unwrap();
    assert_eq!(unit["contact"]["phone"], "+46 8 123 00");
    assert_eq!(unit["name"], "Registermottagning City");
    let body = problem(
        producer
            .patch(id, "\"3\"", &json!({"visiting_address": {"number": "45"}}))
            .await,
        422,
        "unknown-address",
    )
    .await;
    assert!(!body["suggestions"].as_array().unwrap().is_empty());

    // Another organisation's producer may not touch it.
    let other = Producer {
        token: host.token("producer", Some("SE5565594230-0001")),
        host: &host,
    };
    problem(
        other.patch(id, "\"3\"", &json!({"name": "Kapad"})).await,
        403,
        "forbidden",
    )
    .await;
    problem(other.retire(id, "\"3\"").await, 403, "forbidden").await;

    // Unknown units, bad ids.
    problem(
        producer
            .put(
                "SE2321000016-NONE",
                Some("\"1\""),
                &input("SE2321000016-NONE", "x"),
            )
            .await,
        404,
        "not-found",
    )
    .await;
    problem(
        producer.retire("not-an-id", "\"1\"").await,
        400,
        "invalid-hsa-id",
    )
    .await;

    // Retire: kept with its history, never erased; no more changes.
    let retired = producer.retire(id, "\"3\"").await;
    assert_eq!(retired.status(), 200);
    let unit: Value = retired.json().await.unwrap();
    assert_eq!(
        (unit["status"].as_str(), unit["version"].as_u64()),
        (Some("retired"), Some(4))
    );
    problem(producer.retire(id, "\"4\"").await, 409, "unit-retired").await;
    problem(
        producer.put(id, Some("\"4\""), &input(id, "Igen")).await,
        409,
        "unit-retired",
    )
    .await;

    let (status, tag, unit) = get(&host, &format!("/api/v1/units/{id}")).await;
    assert_eq!((status, tag.as_deref()), (200, Some("\"4\"")));
    assert_eq!(unit["status"], "retired");
    let (status, _, history) = get(&host, &format!("/api/v1/units/{id}/history")).await;
    assert_eq!(status, 200);
    let versions: Vec<u64> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2, 3, 4]);
    assert_eq!(history[0]["name"], "Registermottagning");
    let (status, _, recent) = get(&host, &format!("/api/v1/units/{id}/history?limit=2")).await;
    assert_eq!(status, 200);
    assert_eq!(recent.as_array().unwrap().len(), 2);
    assert_eq!(
        get(&host, "/api/v1/units/SE2321000016-NONE/history")
            .await
            .0,
        404
    );

    let kinds: Vec<(String, u64)> = feed(&host, 2)
        .await
        .iter()
        .filter(|c| c["hsa_id"] == id)
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_string(),
                c["version"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("created".into(), 1),
            ("updated".into(), 2),
            ("updated".into(), 3),
            ("retired".into(), 4)
        ]
    );
}

#[tokio::test]
async fn a_retried_write_with_an_idempotency_key_runs_once() {
    let host = platform(&[SEED, REGISTER], |_| {}).await;
    let producer = Producer::new(&host);
    let id = "SE2321000016-IDEM";
    let send = |body: Value| {
        producer
            .request(reqwest::Method::POST, "/api/v1/producer/units")
            .header("idempotency-key", "4f0c2b1e-create-idem")
            .json(&body)
            .send()
    };
    let first = send(input(id, "Idempotent")).await.unwrap();
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_body: Value = first.json().await.unwrap();
    let retry = send(input(id, "Idempotent")).await.unwrap();
    assert_eq!(retry.status(), 201, "the first result, not 409");
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.headers()["location"], format!("/api/v1/units/{id}"));
    assert_eq!(retry.json::<Value>().await.unwrap(), first_body);
    problem(
        send(input(id, "Something else")).await.unwrap(),
        422,
        "idempotency-key-reused",
    )
    .await;
    let changes: Vec<Value> = feed(&host, 100)
        .await
        .into_iter()
        .filter(|c| c["hsa_id"] == id)
        .collect();
    assert_eq!(changes.len(), 1, "{changes:?}");

    let bad_key = producer
        .request(reqwest::Method::POST, "/api/v1/producer/units")
        .header("idempotency-key", "")
        .json(&input("SE2321000016-IDE2", "x"))
        .send()
        .await
        .unwrap();
    problem(bad_key, 400, "invalid-idempotency-key").await;
}

#[tokio::test]
async fn bad_change_feed_queries_are_refused() {
    let host = platform(&[SEED], |_| {}).await;
    let viewer = host.token("viewer", None);
    for query in [
        "",
        "?since=x",
        "?since=0&limit=0",
        "?since=0&limit=5000",
        "?from=0",
    ] {
        problem(
            host.get_as(&viewer, &format!("/api/v1/changes{query}"))
                .await,
            400,
            "invalid-query",
        )
        .await;
    }
    let (status, _, page) = get(&host, "/api/v1/changes?since=0").await;
    assert_eq!(status, 200);
    assert_eq!(
        page,
        json!({"changes": [], "next_since": 0}),
        "seed data is not in the feed"
    );
}

/// 200 producers update one unit at once, each from the version it read:
/// each request is applied or refused with 412, and the version, the
/// history and the change feed agree exactly with what was applied.
async fn concurrent_updates(host: &TestHost) {
    let producer = Producer::new(host);
    let id = "SE2321000016-CONC";
    assert_eq!(producer.create(&input(id, "Start")).await.status(), 201);
    let mut tasks = Vec::new();
    for i in 0..200 {
        let client = host.client.clone();
        let token = producer.token.clone();
        let viewer = host.token("viewer", None);
        let unit_url = host.url(&format!("/api/v1/units/{id}"));
        let put_url = host.url(&format!("/api/v1/producer/units/{id}"));
        let body = input(id, &format!("Writer {i}"));
        tasks.push(tokio::spawn(async move {
            let read = client
                .get(unit_url)
                .bearer_auth(viewer)
                .send()
                .await
                .unwrap();
            let tag = read.headers()["etag"].to_str().unwrap().to_string();
            let written = client
                .put(put_url)
                .bearer_auth(token)
                .header("if-match", tag)
                .json(&body)
                .send()
                .await
                .unwrap();
            (i, written.status().as_u16())
        }));
    }
    let mut applied = BTreeSet::new();
    for task in tasks {
        let (i, status) = task.await.unwrap();
        match status {
            200 => {
                applied.insert(format!("Writer {i}"));
            }
            412 => {}
            other => panic!("writer {i} got {other}"),
        }
    }
    assert!(!applied.is_empty());
    let (_, _, unit) = get(host, &format!("/api/v1/units/{id}")).await;
    assert_eq!(unit["version"].as_u64().unwrap(), 1 + applied.len() as u64);
    let (_, _, history) = get(host, &format!("/api/v1/units/{id}/history?limit=1000")).await;
    let history = history.as_array().unwrap();
    let versions: Vec<u64> = history
        .iter()
        .map(|u| u["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, (1..=1 + applied.len() as u64).collect::<Vec<_>>());
    let names: BTreeSet<String> = history[1..]
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, applied);
    let feed_versions: Vec<u64> = feed(host, 50)
        .await
        .iter()
        .filter(|c| c["hsa_id"] == id)
        .map(|c| c["version"].as_u64().unwrap())
        .collect();
    assert_eq!(feed_versions, versions);
}

#[tokio::test]
async fn concurrent_updates_never_lose_one_on_sqlite() {
    let host = platform(&[SEED, REGISTER], |_| {}).await;
    concurrent_updates(&host).await;
}

#[tokio::test]
async fn concurrent_updates_never_lose_one_on_redis() {
    let redis = Redis::start();
    let config = redis.runtime_config("default");
    let host = platform(&[SEED, REGISTER], |o| o.runtime_config = Some(config)).await;
    concurrent_updates(&host).await;
}

/// A consumer that knows nothing but the change feed keeps an exact copy:
/// replaying from 0, fetching each changed unit, ends with the registry.
#[tokio::test]
async fn a_consumer_replaying_the_feed_ends_with_the_registry() {
    let host = platform(&[REGISTER], |_| {}).await;
    let producer = Producer::new(&host);
    let ids: Vec<String> = (0..12).map(|i| format!("SE2321000016-FD{i:02}")).collect();
    for id in &ids {
        assert_eq!(producer.create(&input(id, "Först")).await.status(), 201);
    }
    // Interleaved updates and retirements, some concurrent.
    let mut tasks = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let id = id.clone();
        let client = host.client.clone();
        let token = producer.token.clone();
        let url = host.url(&format!("/api/v1/producer/units/{id}"));
        tasks.push(tokio::spawn(async move {
            for version in 1..=(n % 4 + 1) as u64 {
                let request = if n % 5 == 0 && version == (n % 4 + 1) as u64 {
                    client.delete(&url)
                } else {
                    client
                        .patch(&url)
                        .header("content-type", "application/merge-patch+json")
                        .body(json!({"name": format!("Version {}", version + 1)}).to_string())
                };
                let response = request
                    .bearer_auth(&token)
                    .header("if-match", format!("\"{version}\""))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }

    let mut copy: BTreeMap<String, Value> = BTreeMap::new();
    let mut last_seq = 0;
    for change in feed(&host, 5).await {
        let seq = change["seq"].as_u64().unwrap();
        assert!(seq > last_seq, "strictly increasing");
        last_seq = seq;
        let id = change["hsa_id"].as_str().unwrap();
        let (_, _, history) = get(&host, &format!("/api/v1/units/{id}/history?limit=1000")).await;
        let version = change["version"].as_u64().unwrap();
        let doc = history
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["version"].as_u64() == Some(version))
            .unwrap()
            .clone();
        copy.insert(id.to_string(), doc);
    }
    assert_eq!(copy.keys().cloned().collect::<Vec<_>>(), ids);
    for id in &ids {
        let (_, _, unit) = get(&host, &format!("/api/v1/units/{id}")).await;
        assert_eq!(copy[id], unit, "{id}");
    }
}

#[tokio::test]
async fn consumers_search_page_and_walk_the_hierarchy() {
    let host = platform(&[SEED, REGISTER], |_| {}).await;
    let producer = Producer::new(&host);
    for i in 0..9 {
        let mut body = input(
            &format!("SE2321000016-SR{i:02}"),
            &format!("Sökmottagning Nummer{i}"),
        );
        body["parent"] = json!("SE2321000016-15CQ");
        if i % 3 == 0 {
            body["municipality_code"] = json!("0184");
        }
        assert_eq!(producer.create(&body).await.status(), 201);
    }
    let names = |page: &Value| -> Vec<String> {
        page["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["hsa_id"].as_str().unwrap().to_string())
            .collect()
    };

    // Seeded units are indexed too; names match by word prefix, any case and accents.
    let (status, _, page) = get(&host, "/api/v1/units?name=VARDCENTRAL%20t%C3%A4by").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(names(&page), ["SE2321000016-7TBY"]);

    // Paging: every match exactly once, following Link rel=next.
    let viewer = host.token("viewer", None);
    let mut path = "/api/v1/units?name=s%C3%B6km&limit=4".to_string();
    let mut seen = Vec::new();
    loop {
        let response = host.get_as(&viewer, &path).await;
        assert_eq!(response.status(), 200);
        let link = response
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_string());
        let page: Value = response.json().await.unwrap();
        seen.extend(names(&page));
        match link {
            Some(link) => {
                assert!(link.ends_with("; rel=\"next\""), "{link}");
                assert!(page["next_cursor"].is_string(), "{page}");
                path = link[link.find('<').unwrap() + 1..link.find('>').unwrap()].to_string();
            }
            None => break,
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        (0..9)
            .map(|i| format!("SE2321000016-SR{i:02}"))
            .collect::<Vec<_>>()
    );

    // Criteria combine.
    let (_, _, page) = get(
        &host,
        "/api/v1/units?name=s%C3%B6kmottagning&municipality=0184",
    )
    .await;
    let mut found = names(&page);
    found.sort();
    assert_eq!(
        found,
        [
            "SE2321000016-SR00",
            "SE2321000016-SR03",
            "SE2321000016-SR06"
        ]
    );

    // Children of a unit, and a retired child found by status.
    let (_, _, page) = get(&host, "/api/v1/units/SE2321000016-15CQ/children?limit=200").await;
    assert_eq!(names(&page).len(), 9);
    assert_eq!(
        producer.retire("SE2321000016-SR04", "\"1\"").await.status(),
        200
    );
    let (_, _, page) = get(
        &host,
        "/api/v1/units?parent=SE2321000016-15CQ&status=retired",
    )
    .await;
    assert_eq!(names(&page), ["SE2321000016-SR04"]);
    let (_, _, page) = get(&host, "/api/v1/units?name=nummer4&status=active").await;
    assert!(names(&page).is_empty(), "{page}");

    for bad in [
        "",
        "?kind=hospital",
        "?name=s%C3%B6",
        "?colour=red",
        "?kind=care-unit&limit=0",
        "?kind=care-unit&cursor=zz",
        "?kind=care-unit&updated_since=yesterday",
    ] {
        problem(
            host.get_as(&viewer, &format!("/api/v1/units{bad}")).await,
            400,
            "invalid-query",
        )
        .await;
    }
    let (status, _, page) = get(
        &host,
        "/api/v1/units?kind=care-unit&updated_since=2000-01-01",
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(names(&page).len() >= 9);
}

#[tokio::test]
async fn bulk_writes_report_each_unit_and_the_catalogue_is_served() {
    let host = platform(&[SEED, REGISTER], |_| {}).await;
    let producer = Producer::new(&host);
    assert_eq!(
        producer
            .create(&input("SE2321000016-BK01", "Bulk ett"))
            .await
            .status(),
        201
    );
    let mut bad_address = input("SE2321000016-BK04", "Bulk fyra");
    bad_address["visiting_address"]["number"] = json!("45");
    let body = json!({"units": [
        {"unit": input("SE2321000016-BK02", "Bulk två")},
        {"unit": input("SE2321000016-BK01", "Bulk ett, ändrad"), "if_match": "\"1\""},
        {"unit": input("SE2321000016-BK03", "Bulk tre"), "if_match": "\"1\""},
        {"unit": bad_address},
        {"unit": input("SE2321000016-BK02", "Bulk två igen")},
    ]});
    let response = producer
        .request(reqwest::Method::POST, "/api/v1/producer/units/bulk")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    let statuses: Vec<u64> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [201, 200, 404, 422, 409], "{report}");
    assert_eq!(
        (report["applied"].as_u64(), report["refused"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(report["results"][1]["version"], 2);
    assert_eq!(
        report["results"][3]["problem"]["type"],
        "urn:mdm:problem:unknown-address"
    );
    assert_eq!(
        get(&host, "/api/v1/units/SE2321000016-BK01").await.2["name"],
        "Bulk ett, ändrad"
    );
    assert_eq!(get(&host, "/api/v1/units/SE2321000016-BK04").await.0, 404);

    let empty = producer
        .request(reqwest::Method::POST, "/api/v1/producer/units/bulk")
        .json(&json!({"units": []}))
        .send()
        .await
        .unwrap();
    problem(empty, 422, "invalid-request").await;
    let unknown = producer
        .request(reqwest::Method::POST, "/api/v1/producer/units/bulk")
        .json(&json!({"units": [], "mode": "upsert"}))
        .send()
        .await
        .unwrap();
    problem(unknown, 400, "malformed-body").await;

    let (status, _, catalogue) = get(&host, "/api/v1/catalogue").await;
    assert_eq!(status, 200);
    let text = catalogue.to_string();
    assert!(
        text.contains("\"unit\"") && text.contains("Server-owned"),
        "{text:.300}"
    );
}

#[tokio::test]
async fn writes_without_a_token_or_with_an_oversize_body_change_nothing() {
    let host = platform(&[SEED, REGISTER], |o| o.limits.max_body_bytes = 64 << 10).await;
    let id = "SE2321000016-LIM1";
    let anonymous = host
        .client
        .post(host.url("/api/v1/producer/units"))
        .json(&input(id, "Utan token"))
        .send()
        .await
        .unwrap();
    problem(anonymous, 401, "unauthenticated").await;
    let viewer = host
        .client
        .put(host.url(&format!("/api/v1/producer/units/{id}")))
        .bearer_auth(host.token("viewer", None))
        .header("if-match", "\"1\"")
        .json(&input(id, "Som läsare"))
        .send()
        .await
        .unwrap();
    problem(viewer, 403, "forbidden").await;

    let mut huge = input(id, "För stor");
    huge["care_types"] = json!(vec!["01"; 20_000]);
    let producer = Producer::new(&host);
    let response = producer.create(&huge).await;
    assert_eq!(response.status(), 413);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );

    assert_eq!(get(&host, &format!("/api/v1/units/{id}")).await.0, 404);
    let (_, _, page) = get(&host, "/api/v1/changes?since=0").await;
    assert_eq!(page["changes"], json!([]), "nothing was written");
}
