//! The host's capabilities, exercised through HTTP with the probe app
//! (`tests/apps/host-probe`), a component built with spin-sdk like any Spin app.

use std::collections::HashMap;
use std::time::Duration;

use mdm_e2e::{Redis, TestHost, build_wasm};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PROBE: &str = "tests/apps/host-probe/spin.toml";

fn vars(pairs: &[(&str, &str)]) -> Option<HashMap<String, String>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

async fn probe_host(
    extra_vars: &[(&str, &str)],
    configure: impl FnOnce(&mut mdm_host::LoadOptions),
) -> TestHost {
    build_wasm(&["host-probe"]);
    let mut pairs = vec![("api_token", "s3cret")];
    pairs.extend_from_slice(extra_vars);
    TestHost::start(PROBE, |o| {
        o.variable_overrides = vars(&pairs);
        configure(o);
    })
    .await
}

async fn text(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

#[tokio::test]
async fn spin_key_value_round_trips_through_sqlite() {
    let host = probe_host(&[], |_| {}).await;
    let put = host
        .client
        .put(host.url("/probe/kv/default/greeting"))
        .body("hej")
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 204);
    assert_eq!(
        text(host.get("/probe/kv/default/greeting").await).await,
        (200, "hej".into())
    );
    // Both interfaces see the same store.
    assert_eq!(
        text(host.get("/probe/wasi-kv/default/greeting").await).await,
        (200, "hej".into())
    );
    assert_eq!(
        text(host.get("/probe/kv/default/missing").await).await,
        (404, "absent".into())
    );
}

/// Every function of the host's key-value WIT, called by a spin-sdk
/// component: proves the interfaces written here match what spin-sdk imports,
/// and that they behave as Spin's do.
async fn kv_tour_transcript(host: &TestHost) {
    let response = host
        .client
        .post(host.url("/probe/kv-tour"))
        .send()
        .await
        .unwrap();
    let (status, transcript) = text(response).await;
    assert_eq!(status, 200, "{transcript}");
    let expected = [
        "spin.set=Ok(())",
        "spin.get=Ok(Some([49]))",
        "spin.exists=Ok(true)",
        "spin.delete=Ok(())",
        "spin.exists-after-delete=Ok(false)",
        "spin.open-unknown=Some(Error::AccessDenied)",
        "wasi.set=Ok(())",
        "wasi.get=Ok(Some([50]))",
        "wasi.exists=Ok(true)",
        "wasi.list-keys=Ok(([\"tour-b\"], None))",
        "wasi.delete=Ok(())",
        "batch.set-many=Ok(())",
        "batch.get-many=Ok([(\"tour-c\", Some([51])), (\"tour-x\", None), (\"tour-d\", Some([52]))])",
        "batch.delete-many=Ok(())",
        "spin.get-keys-after=Ok(0)",
        "atomics.increment=Ok(5)",
        "atomics.increment=Ok(3)",
        "cas.current=Ok(Some([51]))",
        "cas.swap=Ok(())",
        "spin.set-behind-cas=Ok(())",
        "cas.swap-stale=cas-failed, now Ok(Some([49, 49]))",
        "final=Ok(Some([49, 49]))",
    ];
    assert_eq!(transcript.lines().collect::<Vec<_>>(), expected);
}

#[tokio::test]
async fn every_key_value_function_behaves_as_spin_on_sqlite() {
    let host = probe_host(&[], |_| {}).await;
    kv_tour_transcript(&host).await;
}

#[tokio::test]
async fn every_key_value_function_behaves_as_spin_on_redis() {
    let redis = Redis::start();
    let config = redis.runtime_config("default");
    let host = probe_host(&[], |o| o.runtime_config = Some(config)).await;
    kv_tour_transcript(&host).await;
}

#[tokio::test]
async fn store_not_granted_to_the_component_is_access_denied() {
    let host = probe_host(&[], |_| {}).await;
    // probe-restricted lists no key_value_stores at all.
    assert_eq!(
        text(host.get("/restricted/kv/default/x").await).await,
        (403, "access-denied".into())
    );
    // probe may open "default" only.
    assert_eq!(
        text(host.get("/probe/kv/audit/x").await).await,
        (403, "access-denied".into())
    );
    assert_eq!(
        text(host.get("/probe/wasi-kv/audit/x").await).await,
        (403, "access-denied".into())
    );
}

#[tokio::test]
async fn variables_resolve_templates_with_defaults_and_overrides() {
    let host = probe_host(&[], |_| {}).await;
    assert_eq!(
        text(host.get("/probe/var/greeting").await).await,
        (200, "hej, world".into())
    );
    assert_eq!(
        text(host.get("/probe/var/token").await).await,
        (200, "s3cret".into())
    );
    let (status, body) = text(host.get("/probe/var/nope").await).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = text(host.get("/probe/var/Bad-Name").await).await;
    assert_eq!(status, 400, "{body}");
    host.stop().await;

    // An override (SPIN_VARIABLE_GREETING) beats the manifest default.
    let host = probe_host(&[("greeting", "hallå")], |_| {}).await;
    assert_eq!(
        text(host.get("/probe/var/greeting").await).await,
        (200, "hallå, world".into())
    );
}

#[tokio::test]
async fn missing_required_variable_fails_start_up_naming_it() {
    build_wasm(&["host-probe"]);
    let err = TestHost::try_start(PROBE, &[], |o| o.variable_overrides = vars(&[]))
        .await
        .err()
        .expect("start-up must fail");
    assert!(format!("{err:#}").contains("api_token"), "{err:#}");
}

/// A one-shot HTTP server on loopback answering `200 upstream says hi`.
async fn upstream() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0; 4096];
                let _ = socket.read(&mut buf).await;
                let body = "upstream says hi";
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    port
}

#[tokio::test]
async fn outbound_http_follows_allowed_outbound_hosts() {
    let port = upstream().await;
    let port_text = port.to_string();
    let host = probe_host(&[("upstream_port", &port_text)], |_| {}).await;

    // Allowed through the templated entry http://127.0.0.1:{{ upstream_port }}.
    let (status, body) = text(
        host.get(&format!("/probe/outbound?url=http://127.0.0.1:{port}/"))
            .await,
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "200 upstream says hi"));

    // Same host, another port: not listed, so the guest gets an error, not a crash.
    let (status, body) = text(host.get("/probe/outbound?url=http://127.0.0.1:1/").await).await;
    assert_eq!(status, 502, "{body}");
    assert!(
        body.contains("Denied"),
        "guest should see the denied error code: {body}"
    );

    let (status, body) = text(host.get("/probe/outbound?url=https://example.com/").await).await;
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("Denied"), "{body}");
}

#[tokio::test]
async fn service_chaining_reaches_a_private_component_in_process() {
    let host = probe_host(&[], |_| {}).await;
    let (status, body) = text(
        host.get("/probe/outbound?url=http://probe-private.spin.internal/hello")
            .await,
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "200 hello"));
    // A private component has no public route.
    let (status, _) = text(host.get("/hello").await).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn runaway_guest_hits_the_deadline_while_other_requests_succeed() {
    let host = probe_host(&[], |o| o.limits.deadline = Duration::from_millis(1500)).await;
    let runaway = host.client.get(host.url("/probe/spin-forever")).send();
    let others = async {
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(host.get("/probe/hello").await.status().as_u16());
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        statuses
    };
    let (runaway, statuses) = tokio::join!(runaway, others);
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    let runaway = runaway.unwrap();
    assert_eq!(runaway.status(), 504);
    assert_eq!(
        runaway.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = runaway.json().await.unwrap();
    assert_eq!(body["type"], "urn:mdm:problem:deadline-exceeded");
    // The host is still healthy afterwards.
    assert_eq!(host.get("/probe/hello").await.status(), 200);
}

#[tokio::test]
async fn memory_beyond_the_limit_is_refused_to_the_guest() {
    let host = probe_host(&[], |o| o.limits.memory_bytes = 64 << 20).await;
    let (status, body) = text(host.get("/probe/grow-memory/16").await).await;
    assert_eq!((status, body.as_str()), (200, "allocated 16 MiB"));
    let (status, body) = text(host.get("/probe/grow-memory/256").await).await;
    assert_eq!(status, 507, "{body}");
    assert!(body.starts_with("allocation failed"), "{body}");
}

#[tokio::test]
async fn oversize_body_is_413_before_the_guest_runs() {
    let host = probe_host(&[], |o| o.limits.max_body_bytes = 1024).await;
    let ok = host
        .client
        .post(host.url("/probe/echo-length"))
        .body(vec![b'x'; 1000])
        .send()
        .await
        .unwrap();
    assert_eq!(text(ok).await, (200, "1000".into()));

    let big = host
        .client
        .post(host.url("/probe/echo-length"))
        .body(vec![b'x'; 2048])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    assert_eq!(big.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = big.json().await.unwrap();
    assert_eq!(body["type"], "urn:mdm:problem:body-too-large");

    // Without a content-length (chunked), the limit holds too.
    let mut socket = tokio::net::TcpStream::connect(host.addr).await.unwrap();
    let chunk = "x".repeat(700);
    let request = format!(
        "POST /probe/echo-length HTTP/1.1\r\nhost: probe\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n\
         2bc\r\n{chunk}\r\n2bc\r\n{chunk}\r\n0\r\n\r\n"
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut reply = String::new();
    socket.read_to_string(&mut reply).await.unwrap();
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
}

#[tokio::test]
async fn spin_request_headers_are_set_and_client_copies_are_stripped() {
    let host = probe_host(&[], |_| {}).await;
    let response = host
        .client
        .get(host.url("/probe/headers?x=1"))
        .header("spin-client-addr", "6.6.6.6:666")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers: serde_json::Value = response.json().await.unwrap();
    let addr = host.addr;
    assert_eq!(
        headers["spin-full-url"],
        format!("http://{addr}/probe/headers?x=1")
    );
    assert_eq!(headers["spin-path-info"], "/headers");
    assert_eq!(headers["spin-matched-route"], "/probe/...");
    assert_eq!(headers["spin-raw-component-route"], "/probe/...");
    assert_eq!(headers["spin-component-route"], "/probe");
    assert_eq!(headers["spin-base-path"], "/");
    let client = headers["spin-client-addr"].as_str().unwrap();
    assert!(client.starts_with("127.0.0.1:"), "{client}");

    // A forged spin-path-info must not steer the component.
    let response = host
        .client
        .get(host.url("/probe/hello"))
        .header("spin-path-info", "/kv/default/secret")
        .send()
        .await
        .unwrap();
    assert_eq!(text(response).await, (200, "hello".into()));
}

#[tokio::test]
async fn exact_route_beats_wildcard_and_unknown_paths_are_404_problems() {
    let host = probe_host(&[], |_| {}).await;
    let exact = host.get("/probe/exact").await;
    assert_eq!(exact.headers()["x-matched-route"], "/probe/exact");
    let below = host.get("/probe/exact/more").await;
    assert_eq!(below.headers()["x-matched-route"], "/probe/...");

    let missing = host.get("/nowhere").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["type"], "urn:mdm:problem:route-not-found");
}

async fn concurrent_cas_increments(host: &TestHost, key: &str, n: usize) {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let client = host.client.clone();
        let url = host.url(&format!("/probe/cas-increment/{key}"));
        tasks.push(tokio::spawn(async move {
            client.post(url).send().await.unwrap().status().as_u16()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let (status, body) = text(host.get(&format!("/probe/wasi-kv/default/{key}")).await).await;
    assert_eq!(
        (status, body),
        (200, n.to_string()),
        "every increment must survive"
    );
}

#[tokio::test]
async fn concurrent_compare_and_swap_loses_no_update_on_sqlite() {
    let host = probe_host(&[], |_| {}).await;
    concurrent_cas_increments(&host, "counter", 200).await;
}

#[tokio::test]
async fn concurrent_compare_and_swap_loses_no_update_on_redis() {
    let redis = Redis::start();
    let config = redis.runtime_config("default");
    let host = probe_host(&[], |o| o.runtime_config = Some(config)).await;
    concurrent_cas_increments(&host, "counter", 200).await;
}

#[tokio::test]
async fn manifest_errors_name_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("spin.toml");
    std::fs::write(
        &manifest,
        "spin_manifest_version = 2\n[application]\nname = \"x\"\n\
         [[trigger.http]]\nroute = \"/...\"\ncomponent = \"a\"\n\
         [component.a]\nsource = \"a.wasm\"\nkey_value_store = [\"default\"]\n",
    )
    .unwrap();
    let err = TestHost::try_start(manifest.to_str().unwrap(), &[], |_| {})
        .await
        .err()
        .expect("a typo in the manifest must fail start-up");
    assert!(format!("{err:#}").contains("key_value_store"), "{err:#}");
}
