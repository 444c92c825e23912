//! The `spin-*` request headers a component receives
//! (Spin: `crates/trigger-http/src/headers.rs`).

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use http::HeaderMap;
use http::header::{HOST, HeaderName};

use crate::router::RouteMatch;

/// `scheme://host/path?query` as the client sent it.
pub const FULL_URL: &str = "spin-full-url";
/// The part of the path matched by a trailing `/...` (empty for exact routes).
pub const PATH_INFO: &str = "spin-path-info";
/// The matched route including the base, as written (`/api/...`).
pub const MATCHED_ROUTE: &str = "spin-matched-route";
/// The matched route without a trailing `/...`.
pub const COMPONENT_ROUTE: &str = "spin-component-route";
/// The matched route as written in the manifest.
pub const RAW_COMPONENT_ROUTE: &str = "spin-raw-component-route";
/// The application base path (`/`).
pub const BASE_PATH: &str = "spin-base-path";
/// The client's socket address (`127.0.0.1:51234`).
pub const CLIENT_ADDR: &str = "spin-client-addr";
/// Prefix of the per-parameter headers: `spin-path-match-<name>`.
pub const PATH_MATCH_PREFIX: &str = "spin-path-match-";

/// The fixed headers the host sets on every routed request.
pub const SPIN_HEADERS: [&str; 7] = [
    PATH_INFO,
    FULL_URL,
    MATCHED_ROUTE,
    BASE_PATH,
    RAW_COMPONENT_ROUTE,
    COMPONENT_ROUTE,
    CLIENT_ADDR,
];

/// Inbound headers starting with this prefix are removed before routing:
/// only the host may set them.
pub const RESERVED_HEADER_PREFIX: &str = "spin-";

/// `spin-client-addr` of a service-chaining request (Spin uses `0.0.0.0:0`).
pub const CHAINED_CLIENT_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);

/// The domain of service-chaining hosts.
pub const SERVICE_CHAINING_DOMAIN: &str = "spin.internal";

/// A header name and value to add to the request.
pub type SpinHeader = (Cow<'static, str>, String);

/// Spin's `spin-full-url`: `scheme://host` + path and query as received,
/// `host` being the `Host` header (`localhost` when absent).
pub fn full_url(scheme: &str, host: Option<&str>, path_and_query: &str) -> String {
    format!("{scheme}://{}{path_and_query}", host.unwrap_or("localhost"))
}

impl RouteMatch<'_, '_> {
    /// The `spin-*` headers for this match, in Spin's order: `spin-path-info`,
    /// `spin-full-url` (`full_url`, see [`full_url()`]), `spin-matched-route`,
    /// `spin-base-path`, `spin-raw-component-route`, `spin-component-route`,
    /// `spin-client-addr` (`client_addr`; [`CHAINED_CLIENT_ADDR`] for
    /// service chaining), then one `spin-path-match-<name>` per `:name`
    /// (name lower-cased, `_` turned into `-`; a repeated name keeps its
    /// last value, as Spin collects them in a map).
    ///
    /// A trailing `/...` has no header of its own: its match is
    /// `spin-path-info`.
    pub fn headers(&self, full_url: &str, client_addr: SocketAddr) -> Vec<SpinHeader> {
        let mut headers: Vec<SpinHeader> = Vec::with_capacity(SPIN_HEADERS.len() + 1);
        headers.push((PATH_INFO.into(), self.trailing_wildcard().into_owned()));
        headers.push((FULL_URL.into(), full_url.to_owned()));
        headers.push((MATCHED_ROUTE.into(), self.based_route().to_owned()));
        headers.push((BASE_PATH.into(), self.base_path().to_owned()));
        headers.push((RAW_COMPONENT_ROUTE.into(), self.raw_route().to_owned()));
        headers.push((
            COMPONENT_ROUTE.into(),
            self.raw_route_or_prefix().to_owned(),
        ));
        headers.push((CLIENT_ADDR.into(), client_addr.to_string()));

        let fixed = headers.len();
        for (name, value) in self.named_wildcards() {
            let header = format!(
                "{PATH_MATCH_PREFIX}{}",
                name.to_ascii_lowercase().replace('_', "-")
            );
            // Spin silently drops names that are not valid header names.
            if HeaderName::from_bytes(header.as_bytes()).is_err() {
                continue;
            }
            match headers[fixed..].iter_mut().find(|(n, _)| *n == header) {
                Some(existing) => existing.1 = value.to_owned(),
                None => headers.push((header.into(), value.to_owned())),
            }
        }
        headers
    }
}

/// True for a header name the client must not send (`spin-*`, any case).
pub fn is_reserved_header(name: &str) -> bool {
    name.len() >= RESERVED_HEADER_PREFIX.len()
        && name.as_bytes()[..RESERVED_HEADER_PREFIX.len()]
            .eq_ignore_ascii_case(RESERVED_HEADER_PREFIX.as_bytes())
}

/// Cleans an inbound request's headers before routing:
///
/// * removes every `spin-*` header. Deliberate difference: Spin keeps them
///   and *appends* its own values (`HeaderMap::extend`), so a client-sent
///   `spin-path-info` would come first and shadow the real one;
/// * removes `Host` if it names a service-chaining host
///   (`<component>.spin.internal`), as Spin's `strip_forbidden_headers` does.
pub fn strip_spin_headers(headers: &mut HeaderMap) {
    if headers.keys().any(|k| is_reserved_header(k.as_str())) {
        let reserved: Vec<HeaderName> = headers
            .keys()
            .filter(|k| is_reserved_header(k.as_str()))
            .cloned()
            .collect();
        for name in reserved {
            headers.remove(name);
        }
    }
    let chaining_host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| service_chaining_target(h).is_some());
    if chaining_host {
        headers.remove(HOST);
    }
}

/// The component id of a service-chaining host: `unit-lookup` for
/// `unit-lookup.spin.internal` (a port is ignored). Like Spin, exactly one
/// label may precede `spin.internal`.
pub fn service_chaining_target(host: &str) -> Option<&str> {
    let host = host.trim();
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let (component, domain) = host.split_once('.')?;
    (domain.eq_ignore_ascii_case(SERVICE_CHAINING_DOMAIN) && !component.is_empty())
        .then_some(component)
}
