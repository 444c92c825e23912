//! The request pipeline: strip spoofable headers, route, enforce the body
//! limit, set Spin's headers, run a fresh instance under a deadline, and
//! answer. Also the accept loop with graceful shutdown.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Incoming};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use wasmtime::component::ResourceTable;
use wasmtime::{Engine, Store, StoreLimitsBuilder, Trap, UpdateDeadline};
use wasmtime_wasi::WasiCtx;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::{WasiBody, WasiHttpCtx, WasiHttpView};

use crate::engine::Limits;
use crate::gateway::{Decision, Gateway};
use crate::kv::{KvCtx, KvGrants};
use crate::logs::{PrefixedOutput, Sink};
use crate::metrics::Metrics;
use crate::outbound::OutboundHooks;
use crate::problem;
use crate::state::HostState;
use crate::variables::ComponentVariables;

/// One component, ready to serve: compiled, linked and pre-instantiated once.
pub struct ComponentRuntime {
    pub id: String,
    pub pre: ProxyPre<HostState>,
    pub kv: KvGrants,
    pub variables: ComponentVariables,
    pub outbound: mdm_manifest::AllowedHosts,
    /// The manifest's `environment`, given to the guest as WASI environment.
    pub environment: Arc<[(String, String)]>,
}

/// Everything a request needs, shared by all requests.
pub struct Runtime {
    pub engine: Engine,
    pub components: HashMap<String, Arc<ComponentRuntime>>,
    pub router: mdm_router::Router,
    pub limits: Limits,
    pub metrics: Metrics,
    /// Set once the listener is bound (the development IdP's issuer names
    /// the bound address); unset means plain-Spin mode without a gateway.
    gateway: OnceLock<Gateway>,
    permits: Arc<Semaphore>,
}

impl Runtime {
    pub fn new(
        engine: Engine,
        components: HashMap<String, Arc<ComponentRuntime>>,
        router: mdm_router::Router,
        limits: Limits,
    ) -> Self {
        Self {
            engine,
            components,
            router,
            metrics: Metrics::new(),
            gateway: OnceLock::new(),
            permits: Arc::new(Semaphore::new(limits.max_concurrency as usize)),
            limits,
        }
    }

    /// Puts `gateway` in front of every request from now on.
    pub fn set_gateway(&self, gateway: Gateway) -> anyhow::Result<()> {
        self.gateway
            .set(gateway)
            .map_err(|_| anyhow::anyhow!("the gateway is already set"))
    }

    /// The gateway, if one is set.
    pub fn gateway(&self) -> Option<&Gateway> {
        self.gateway.get()
    }

    /// Serves one request from a client.
    pub async fn handle(
        self: &Arc<Self>,
        mut req: Request<Incoming>,
        client: SocketAddr,
    ) -> Response<WasiBody> {
        let started = Instant::now();
        let method = req.method().clone();
        let path = req.uri().path().to_string();

        // A client must never be able to pose as the host or the gateway:
        // drop every spin-* and x-mdm-* header it sent before anything looks
        // at the request.
        mdm_router::strip_spin_headers(req.headers_mut());
        mdm_gateway::strip_identity_headers(req.headers_mut());

        // Spin's reserved paths come before the gateway and every route.
        if let Some(known) = mdm_router::well_known(&path) {
            return well_known_response(known);
        }

        let (response, component) = match self.gateway.get() {
            None => self.route_and_run(req, client).await,
            Some(gateway) => {
                match gateway
                    .decide(&method, &path, req.headers(), client, &self.metrics)
                    .await
                {
                    Decision::Answer(response) => (response, None),
                    Decision::Pass(identity) => {
                        if let Some(identity) = identity {
                            req.headers_mut().extend(identity);
                        }
                        self.route_and_run(req, client).await
                    }
                }
            }
        };
        let elapsed = started.elapsed();
        self.metrics.request(
            component.as_deref().unwrap_or("-"),
            response.status().as_u16(),
            elapsed,
        );
        tracing::info!(
            target: "mdm_host::request",
            %method,
            path = %path,
            component = component.as_deref().unwrap_or("-"),
            status = response.status().as_u16(),
            duration_ms = elapsed.as_secs_f64() * 1000.0,
        );
        response
    }

    async fn route_and_run(
        self: &Arc<Self>,
        req: Request<Incoming>,
        client: SocketAddr,
    ) -> (Response<WasiBody>, Option<String>) {
        let path = req.uri().path().to_string();
        let Some(matched) = self.router.route(&path) else {
            let detail = format!("no route matches {path}");
            return (
                problem::response(StatusCode::NOT_FOUND, "route-not-found", &detail),
                None,
            );
        };
        let component_id = matched.component_id().to_string();
        let Some(component) = self.components.get(&component_id).cloned() else {
            let detail = format!("component {component_id} is not loaded");
            return (
                problem::response(StatusCode::INTERNAL_SERVER_ERROR, "host-error", &detail),
                Some(component_id),
            );
        };

        let (mut parts, body) = req.into_parts();
        let body = match self.read_body(&parts.headers, body).await {
            Ok(body) => body,
            Err(response) => return (response, Some(component_id)),
        };

        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost")
            .to_string();
        let path_and_query = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
            .to_string();
        let full_url = format!("http://{host}{path_and_query}");
        for (name, value) in matched.headers(&full_url, client) {
            insert_header(&mut parts.headers, &name, &value);
        }
        // The guest sees the authority the client addressed, as under Spin.
        if let Ok(uri) = http::Uri::builder()
            .scheme("http")
            .authority(host.as_str())
            .path_and_query(path_and_query.as_str())
            .build()
        {
            parts.uri = uri;
        }
        let req = Request::from_parts(parts, Full::new(body));
        (self.run(&component, req).await, Some(component_id))
    }

    /// Serves a service-chaining request (`http://<id>.spin.internal/...`)
    /// from one component to another, in process. `None` when there is no
    /// such component or none of its routes matches.
    pub async fn handle_internal(
        self: &Arc<Self>,
        component_id: &str,
        req: http::Request<WasiBody>,
    ) -> Option<Response<WasiBody>> {
        let component = self.components.get(component_id)?.clone();
        let path = req.uri().path().to_string();
        let matched = self.router.route_component(component_id, &path)?;
        let (mut parts, body) = req.into_parts();
        let full_url = parts.uri.to_string();
        for (name, value) in matched.headers(&full_url, mdm_router::CHAINED_CLIENT_ADDR) {
            insert_header(&mut parts.headers, &name, &value);
        }
        Some(self.run(&component, Request::from_parts(parts, body)).await)
    }

    /// Reads the whole request body, refusing one larger than the limit with
    /// 413 before the guest runs (so an oversize request changes nothing).
    async fn read_body(
        &self,
        headers: &http::HeaderMap,
        body: Incoming,
    ) -> Result<Bytes, Response<WasiBody>> {
        let limit = self.limits.max_body_bytes;
        let too_large = || {
            problem::response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                &format!("the request body is larger than the limit of {limit} bytes"),
            )
        };
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        if body.is_end_stream() {
            return Ok(Bytes::new());
        }
        match Limited::new(body, limit).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
            Err(e) => Err(problem::response(
                StatusCode::BAD_REQUEST,
                "bad-request-body",
                &format!("the request body could not be read: {e}"),
            )),
        }
    }

    /// Runs one request on a fresh instance of `component` (Spin's isolation
    /// model) under the memory limit and the deadline.
    async fn run<B>(
        self: &Arc<Self>,
        component: &Arc<ComponentRuntime>,
        req: Request<B>,
    ) -> Response<WasiBody>
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<wasmtime_wasi_http::Error>,
    {
        // Back-pressure: wait for a slot instead of asking the pooling
        // allocator for more instances than it holds.
        let permit = match self.permits.clone().acquire_owned().await {
            Ok(p) => p,
            Err(_) => {
                return problem::response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "shutting-down",
                    "the host is shutting down",
                );
            }
        };

        let mut store = Store::new(&self.engine, self.host_state(component));
        store.limiter(|s| &mut s.limits);
        // Every epoch tick a running guest yields to the executor, so one
        // that never returns cannot starve the other requests of a worker
        // thread; once past its deadline it is interrupted (a trap).
        let deadline_at = Instant::now() + self.limits.deadline;
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            Ok(if Instant::now() >= deadline_at {
                UpdateDeadline::Interrupt
            } else {
                UpdateDeadline::YieldCustom(1, Box::pin(tokio::task::yield_now()))
            })
        });

        let (sender, receiver) = tokio::sync::oneshot::channel();
        let prepared = (|| -> wasmtime::Result<_> {
            let req = store
                .data_mut()
                .http()
                .new_incoming_request(Scheme::Http, req)?;
            let out = store.data_mut().http().new_response_outparam(sender)?;
            Ok((req, out))
        })();
        let (guest_req, out) = match prepared {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(component = %component.id, error = %e, "could not prepare the request");
                return problem::response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "host-error",
                    "the host could not prepare the request",
                );
            }
        };

        let pre = component.pre.clone();
        let task = tokio::spawn(async move {
            let _permit = permit;
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, guest_req, out)
                .await
        });

        match tokio::time::timeout(self.limits.deadline, receiver).await {
            Ok(Ok(Ok(response))) => response,
            Ok(Ok(Err(code))) => {
                tracing::warn!(component = %component.id, error = ?code, "component answered with an error code");
                problem::response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "component-error",
                    "the component failed to produce a response",
                )
            }
            Ok(Err(_)) => self.guest_failed(component, task.await),
            Err(_elapsed) => {
                task.abort();
                self.deadline_exceeded(component)
            }
        }
    }

    fn host_state(self: &Arc<Self>, component: &Arc<ComponentRuntime>) -> HostState {
        let wasi = WasiCtx::builder()
            .stdout(PrefixedOutput::new(&component.id, Sink::Stdout))
            .stderr(PrefixedOutput::new(&component.id, Sink::Stderr))
            .envs(&component.environment)
            .build();
        HostState {
            table: ResourceTable::new(),
            wasi,
            http: WasiHttpCtx::new(),
            outbound: OutboundHooks {
                component: component.clone(),
                runtime: Arc::downgrade(self),
            },
            kv: KvCtx::new(component.kv.clone()),
            variables: component.variables.clone(),
            limits: StoreLimitsBuilder::new()
                .memory_size(self.limits.memory_bytes)
                .trap_on_grow_failure(false)
                .build(),
        }
    }

    fn guest_failed(
        &self,
        component: &ComponentRuntime,
        outcome: Result<wasmtime::Result<()>, tokio::task::JoinError>,
    ) -> Response<WasiBody> {
        let error = match outcome {
            Ok(Ok(())) => "the component returned without setting a response".to_string(),
            Ok(Err(e)) => {
                if e.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
                    return self.deadline_exceeded(component);
                }
                format!("{e:?}")
            }
            Err(e) => e.to_string(),
        };
        tracing::error!(component = %component.id, %error, "component failed");
        problem::response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "component-failed",
            "the component failed while handling the request; the host log has the details",
        )
    }

    fn deadline_exceeded(&self, component: &ComponentRuntime) -> Response<WasiBody> {
        tracing::warn!(component = %component.id, deadline = ?self.limits.deadline, "request stopped at its deadline");
        problem::response(
            StatusCode::GATEWAY_TIMEOUT,
            "deadline-exceeded",
            &format!(
                "the component did not answer within {} ms and was stopped",
                self.limits.deadline.as_millis()
            ),
        )
    }
}

/// `/.well-known/spin/health` answers `200` with `OK`, as Spin does, for
/// load balancers and probes. `info` (Spin's application and deployment
/// details) is not offered: 404 like any other reserved path.
fn well_known_response(known: mdm_router::WellKnown) -> Response<WasiBody> {
    match known {
        mdm_router::WellKnown::Health => Response::new(problem::full(Bytes::from_static(b"OK"))),
        mdm_router::WellKnown::Info | mdm_router::WellKnown::NotFound => problem::response(
            StatusCode::NOT_FOUND,
            "route-not-found",
            "no such path under /.well-known/spin/ (mdm-host answers only health)",
        ),
    }
}

fn insert_header(headers: &mut http::HeaderMap, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        headers.insert(name, value);
    }
}

/// Accepts connections until `shutdown` resolves, then lets in-flight
/// requests finish for a few seconds.
pub async fn serve(
    runtime: Arc<Runtime>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, client) = match accepted {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let runtime = runtime.clone();
                let service = hyper::service::service_fn(move |req| {
                    let runtime = runtime.clone();
                    async move { Ok::<_, Infallible>(runtime.handle(req, client).await) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(std::time::Duration::from_secs(5), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("in-flight requests did not finish within 5 s; stopping anyway");
    }
    Ok(())
}
