//! The gateway in front of every component: authentication (OIDC access
//! tokens), the route policy, per-integration rate limits and metering, and
//! the host's own endpoints (`/healthz`, `/metrics`, the development IdP).
//! The logic lives in `mdm-gateway`; this module wires it to the request
//! pipeline and the key-value store.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use http::{HeaderMap, Method, Response, StatusCode, header};
use mdm_gateway::{
    AuthError, Authenticator, DEV_IDP_DISCOVERY_PATH, DEV_IDP_JWKS_PATH, DevIdp, GatewayConfig,
    RateLimiter, Role, RoutePolicy,
};
use mdm_kv::Store;
use wasmtime_wasi_http::WasiBody;

use crate::metrics::Metrics;
use crate::problem;

/// Path of the health check, answered without a token.
pub const HEALTHZ_PATH: &str = "/healthz";
/// Path of the Prometheus metrics (loopback or `platform-admin`).
pub const METRICS_PATH: &str = "/metrics";

/// The gateway of a running host.
pub struct Gateway {
    authenticator: Authenticator,
    policy: RoutePolicy,
    limiter: RateLimiter,
    dev_idp: Option<Arc<DevIdp>>,
    /// Where usage counters go (the `default` store).
    metering: Arc<dyn Store>,
}

/// What the gateway decided for a request.
pub enum Decision {
    /// Answered by the gateway itself (host endpoint or refusal).
    Answer(Response<WasiBody>),
    /// Pass on to the component with these identity headers (none for a
    /// public path).
    Pass(Option<HeaderMap>),
}

impl Gateway {
    /// The gateway of a host bound to `listen`: the development IdP when it
    /// runs there (its key under `state_dir`) and the authenticator for the
    /// right issuer.
    pub fn new(
        config: &GatewayConfig,
        state_dir: &Path,
        listen: SocketAddr,
        metering: Arc<dyn Store>,
    ) -> anyhow::Result<Self> {
        let dev_idp = if config.dev_idp.should_run(listen)? {
            Some(Arc::new(DevIdp::open(state_dir, listen, config)?))
        } else {
            None
        };
        let authenticator = match &dev_idp {
            Some(idp) => Authenticator::for_dev_idp(config, idp.clone()),
            None => Authenticator::from_config(config)
                .context("could not set up the identity provider's key source")?,
        };
        Ok(Self {
            authenticator,
            policy: RoutePolicy::from_config(config),
            limiter: RateLimiter::new(&config.rate_limit),
            dev_idp,
            metering,
        })
    }

    /// The development IdP, when it runs.
    pub fn dev_idp(&self) -> Option<&Arc<DevIdp>> {
        self.dev_idp.as_ref()
    }

    /// Decides what happens to a request whose spoofable headers are
    /// already stripped.
    pub async fn decide(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        client: SocketAddr,
        metrics: &Metrics,
    ) -> Decision {
        if path == HEALTHZ_PATH {
            return Decision::Answer(json(StatusCode::OK, r#"{"status":"ok"}"#.into()));
        }
        if let Some(idp) = &self.dev_idp {
            if path == DEV_IDP_DISCOVERY_PATH {
                return Decision::Answer(json(StatusCode::OK, idp.discovery_json()));
            }
            if path == DEV_IDP_JWKS_PATH {
                return Decision::Answer(json(StatusCode::OK, idp.jwks_json()));
            }
        }
        if path == METRICS_PATH && client.ip().is_loopback() {
            return Decision::Answer(metrics_response(metrics));
        }
        if path != METRICS_PATH && self.policy.is_public(path) {
            return Decision::Pass(None);
        }

        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let identity = match self.authenticator.authenticate(authorization).await {
            Ok(identity) => identity,
            Err(e) => {
                metrics.auth_failure(e.reason());
                return Decision::Answer(unauthenticated(&e));
            }
        };

        if path == METRICS_PATH {
            if identity.has_role(Role::PlatformAdmin) {
                return Decision::Answer(metrics_response(metrics));
            }
            metrics.auth_failure("forbidden");
            return Decision::Answer(problem::response(
                StatusCode::FORBIDDEN,
                "forbidden",
                "metrics are for the platform-admin role or callers on the host itself",
            ));
        }

        if let Err(forbidden) = self.policy.authorize(&identity, method, path) {
            metrics.auth_failure("forbidden");
            return Decision::Answer(problem::response(
                StatusCode::FORBIDDEN,
                "forbidden",
                &forbidden.reason,
            ));
        }

        if let Some(integration) = &identity.integration {
            if let Err(retry) = self.limiter.check(integration) {
                metrics.auth_failure("rate_limited");
                let mut response = problem::response(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    &format!(
                        "integration {integration} is over its request rate; retry after {} s",
                        retry.seconds()
                    ),
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, retry.header_value());
                return Decision::Answer(response);
            }
            if let Err(response) = self.meter(integration).await {
                return Decision::Answer(response);
            }
        }
        Decision::Pass(Some(identity.to_headers()))
    }

    /// Counts one request of `integration` today: an atomic increment, so
    /// concurrent requests lose no count. If it cannot be counted it is not
    /// served (integrations are charged by these counts).
    async fn meter(&self, integration: &str) -> Result<(), Response<WasiBody>> {
        let key = mdm_keys::usage(integration, mdm_keys::Day::today());
        self.metering
            .increment(&key, 1)
            .await
            .map(|_| ())
            .map_err(|e| {
                tracing::error!(%integration, error = %e, "could not meter an integration request");
                problem::response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "metering-unavailable",
                    "the request could not be metered, so it was not served; try again shortly",
                )
            })
    }
}

fn json(status: StatusCode, body: String) -> Response<WasiBody> {
    problem::complete(status, "application/json", body)
}

fn metrics_response(metrics: &Metrics) -> Response<WasiBody> {
    problem::complete(
        StatusCode::OK,
        "application/openmetrics-text; version=1.0.0; charset=utf-8",
        metrics.render(),
    )
}

fn unauthenticated(error: &AuthError) -> Response<WasiBody> {
    let status = error.status();
    let kind = if status == StatusCode::UNAUTHORIZED {
        "unauthenticated"
    } else {
        "identity-provider-unavailable"
    };
    let mut response = problem::response(status, kind, &error.to_string());
    if let Some(value) = error.www_authenticate() {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}
