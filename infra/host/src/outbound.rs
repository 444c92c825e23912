//! Outbound HTTP from components (`wasi:http/outgoing-handler`): allowed only
//! to the hosts in the component's `allowed_outbound_hosts`, and
//! `http://<component-id>.spin.internal` is served in-process (Spin's service
//! chaining), which also reaches private routes.

use std::sync::{Arc, Weak};

use http_body_util::BodyExt;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use crate::server::{ComponentRuntime, Runtime};

/// The host name suffix Spin reserves for service chaining.
pub const INTERNAL_SUFFIX: &str = ".spin.internal";

pub struct OutboundHooks {
    pub component: Arc<ComponentRuntime>,
    pub runtime: Weak<Runtime>,
}

type SendFuture = Box<
    dyn Future<
            Output = Result<
                (
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = Result<(), Error>> + Send>,
                ),
                Error,
            >,
        > + Send,
>;

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> SendFuture {
        let uri = request.uri();
        let scheme = uri.scheme_str().unwrap_or("https").to_ascii_lowercase();
        let Some(host) = uri.host().map(str::to_ascii_lowercase) else {
            return Box::new(async { Err(Error::HttpRequestUriInvalid) });
        };
        let Some(port) = uri
            .port_u16()
            .or_else(|| mdm_manifest::outbound::default_port(&scheme))
        else {
            return Box::new(async { Err(Error::HttpRequestUriInvalid) });
        };

        let internal = host.strip_suffix(INTERNAL_SUFFIX).map(str::to_string);
        let allowed = match &internal {
            Some(target) => self.component.outbound.allows_service_chaining_to(target),
            None => self.component.outbound.allows(&scheme, &host, port),
        };
        if !allowed {
            // Spin's wording, so a user who knows Spin finds the fix.
            let destination = format!("{scheme}://{host}:{port}");
            tracing::warn!(
                component = %self.component.id,
                "A component tried to make an outbound network connection to disallowed \
                 destination '{destination}'. To allow this request, add \
                 'allowed_outbound_hosts = [\"{destination}\"]' to the manifest component section."
            );
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }

        if let Some(target) = internal {
            let runtime = self.runtime.clone();
            return Box::new(async move {
                let runtime = runtime.upgrade().ok_or(Error::DestinationUnavailable)?;
                let response = Box::pin(runtime.handle_internal(&target, request))
                    .await
                    .ok_or(Error::DestinationNotFound)?;
                let done: Box<dyn Future<Output = Result<(), Error>> + Send> =
                    Box::new(async { Ok(()) });
                Ok((response, done))
            });
        }

        Box::new(async move {
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            let io: Box<dyn Future<Output = Result<(), Error>> + Send> = Box::new(io);
            Ok((response.map(BodyExt::boxed_unsync), io))
        })
    }
}
