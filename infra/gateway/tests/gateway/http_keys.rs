//! Discovery and JWKS over real HTTP, from a tiny IdP on 127.0.0.1:0.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use jsonwebtoken::Algorithm;
use mdm_gateway::{Authenticator, GatewayConfig, Jwk, JwkSet, KeySourceError};
use serde_json::json;

use crate::support::*;

/// What the fake IdP serves, and what it was asked.
struct Idp {
    addr: SocketAddr,
    /// The issuer its discovery document names.
    issuer: Mutex<String>,
    keys: Mutex<Vec<Jwk>>,
    jwks_status: Mutex<StatusCode>,
    discoveries: AtomicUsize,
    jwks_fetches: AtomicUsize,
}

impl Idp {
    async fn start(keys: Vec<Jwk>) -> Arc<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let idp = Arc::new(Self {
            addr,
            issuer: Mutex::new(format!("http://{addr}/realms/mdm")),
            keys: Mutex::new(keys),
            jwks_status: Mutex::new(StatusCode::OK),
            discoveries: AtomicUsize::new(0),
            jwks_fetches: AtomicUsize::new(0),
        });
        let server = idp.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let idp = server.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let idp = idp.clone();
                        async move { Ok::<_, std::convert::Infallible>(idp.answer(request)) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        idp
    }

    fn url(&self) -> String {
        format!("http://{}/realms/mdm", self.addr)
    }

    fn answer(&self, request: Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
        let (status, body) = match request.uri().path() {
            "/realms/mdm/.well-known/openid-configuration" => {
                self.discoveries.fetch_add(1, Ordering::SeqCst);
                let document = json!({
                    "issuer": *self.issuer.lock().unwrap(),
                    "jwks_uri": format!("http://{}/realms/mdm/protocol/certs", self.addr),
                });
                (StatusCode::OK, document.to_string())
            }
            "/realms/mdm/protocol/certs" => {
                self.jwks_fetches.fetch_add(1, Ordering::SeqCst);
                let keys = self.keys.lock().unwrap().clone();
                let status = *self.jwks_status.lock().unwrap();
                (status, serde_json::to_string(&JwkSet { keys }).unwrap())
            }
            _ => (StatusCode::NOT_FOUND, "{}".to_string()),
        };
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .unwrap()
    }

    fn discoveries(&self) -> usize {
        self.discoveries.load(Ordering::SeqCst)
    }

    fn jwks_fetches(&self) -> usize {
        self.jwks_fetches.load(Ordering::SeqCst)
    }
}

fn config_for(idp: &Idp, refresh_seconds: u64) -> GatewayConfig {
    GatewayConfig::from_toml_str(&format!(
        r#"
        [issuer]
        url = "{}"
        audience = "{AUDIENCE}"
        jwks_refresh_min_seconds = {refresh_seconds}
        jwks_cache_seconds = 3600
        http_timeout_seconds = 2
        "#,
        idp.url()
    ))
    .unwrap()
}

fn token_for(idp: &Idp, alg: Algorithm, kid: &str) -> Option<String> {
    let claims = claims_with(json!({"iss": idp.url()}));
    let token = match alg {
        Algorithm::RS256 => sign(alg, Some(kid), &claims, &RSA.encoding),
        _ => sign(alg, Some(kid), &claims, &ed_key(7).0),
    };
    bearer(&token)
}

#[tokio::test]
async fn fetches_keys_by_discovery_and_honours_the_refetch_interval() {
    let idp = Idp::start(vec![rsa_jwk(RSA_KID)]).await;
    let auth = Authenticator::from_config(&config_for(&idp, 1)).unwrap();

    let identity = auth
        .authenticate(token_for(&idp, Algorithm::RS256, RSA_KID).as_deref())
        .await
        .unwrap();
    assert_eq!(identity.subject, "SE2321000016-A1B2");
    assert_eq!((idp.discoveries(), idp.jwks_fetches()), (1, 1));

    // The IdP rotates in a new key. Right away, its kid is unknown and no
    // refetch is allowed yet.
    idp.keys.lock().unwrap().push(ed_jwk("rotated", 7));
    let rotated = token_for(&idp, Algorithm::EdDSA, "rotated");
    for _ in 0..3 {
        let error = auth.authenticate(rotated.as_deref()).await.unwrap_err();
        assert_eq!(error.reason(), "unknown_key");
    }
    assert_eq!(idp.jwks_fetches(), 1);

    // After the interval, one refetch finds it; the jwks_uri is remembered.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    auth.authenticate(rotated.as_deref()).await.unwrap();
    auth.authenticate(rotated.as_deref()).await.unwrap();
    assert_eq!((idp.discoveries(), idp.jwks_fetches()), (1, 2));
}

#[tokio::test]
async fn a_failing_jwks_endpoint_is_rediscovered_and_reported() {
    let idp = Idp::start(vec![rsa_jwk(RSA_KID)]).await;
    let auth = Authenticator::from_config(&config_for(&idp, 1)).unwrap();
    *idp.jwks_status.lock().unwrap() = StatusCode::INTERNAL_SERVER_ERROR;
    let error = auth
        .authenticate(token_for(&idp, Algorithm::RS256, RSA_KID).as_deref())
        .await
        .unwrap_err();
    assert_eq!(error.reason(), "jwks_unavailable");
    assert!(
        std::error::Error::source(&error)
            .unwrap()
            .to_string()
            .contains("status 500"),
        "{error:?}"
    );

    *idp.jwks_status.lock().unwrap() = StatusCode::OK;
    assert_eq!(auth.refresh_keys().await.unwrap(), 1);
    assert_eq!(idp.discoveries(), 2, "discovered again after the failure");
}

#[tokio::test]
async fn a_discovery_document_for_another_issuer_is_refused() {
    let idp = Idp::start(vec![rsa_jwk(RSA_KID)]).await;
    *idp.issuer.lock().unwrap() = "https://evil.test/realms/mdm".to_string();
    let auth = Authenticator::from_config(&config_for(&idp, 1)).unwrap();
    let error = auth.refresh_keys().await.unwrap_err();
    assert!(
        matches!(error, KeySourceError::IssuerMismatch { ref found, .. } if found == "https://evil.test/realms/mdm"),
        "{error:?}"
    );
    assert_eq!(idp.jwks_fetches(), 0);
}

#[tokio::test]
async fn an_unreachable_issuer_is_unavailable_not_unauthorized() {
    // Bind and drop a listener to get a port nobody listens on.
    let addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let config = GatewayConfig::from_toml_str(&format!(
        "[issuer]\nurl = \"http://{addr}\"\naudience = \"{AUDIENCE}\"\nhttp_timeout_seconds = 1\n"
    ))
    .unwrap();
    let auth = Authenticator::from_config(&config).unwrap();
    let token = sign(
        Algorithm::RS256,
        Some(RSA_KID),
        &claims_with(json!({"iss": format!("http://{addr}")})),
        &RSA.encoding,
    );
    let error = auth
        .authenticate(bearer(&token).as_deref())
        .await
        .unwrap_err();
    assert_eq!(error.reason(), "jwks_unavailable");
    assert_eq!(error.status(), http::StatusCode::SERVICE_UNAVAILABLE);
}
