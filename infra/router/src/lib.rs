//! Spin HTTP routing and the spin-* request headers
//!
//! Reproduces what Spin 3's HTTP trigger does between accepting a request
//! and calling a component:
//!
//! 1. [`strip_spin_headers`]: drop client-sent `spin-*` headers (and a
//!    service-chaining `Host`);
//! 2. [`well_known`]: answer `/.well-known/spin/*` in the host;
//! 3. [`Router::route`] (or [`Router::route_component`] for
//!    `http://<component>.spin.internal` requests): pick the component;
//! 4. [`RouteMatch::headers`]: the `spin-*` headers to add.
//!
//! ```
//! use std::net::SocketAddr;
//! use mdm_router::{RouteEntry, Router, full_url};
//!
//! let router = Router::build("/", [
//!     RouteEntry::new("health", "/api/v1/health"),
//!     RouteEntry::new("units", "/api/v1/units/:id/..."),
//!     RouteEntry::private("audit"),
//! ])?;
//!
//! let m = router.route("/api/v1/units/42/history").unwrap();
//! assert_eq!(m.component_id(), "units");
//! let url = full_url("http", Some("localhost:3000"), "/api/v1/units/42/history?limit=5");
//! let headers = m.headers(&url, "127.0.0.1:50000".parse::<SocketAddr>()?);
//! assert!(headers.iter().any(|(n, v)| n == "spin-path-match-id" && v == "42"));
//! assert!(headers.iter().any(|(n, v)| n == "spin-path-info" && v == "/history"));
//!
//! assert!(router.route("/audit").is_none());
//! assert_eq!(router.route_component("audit", "/log").unwrap().component_id(), "audit");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod headers;
mod pattern;
mod router;

pub use headers::{
    BASE_PATH, CHAINED_CLIENT_ADDR, CLIENT_ADDR, COMPONENT_ROUTE, FULL_URL, MATCHED_ROUTE,
    PATH_INFO, PATH_MATCH_PREFIX, RAW_COMPONENT_ROUTE, RESERVED_HEADER_PREFIX,
    SERVICE_CHAINING_DOMAIN, SPIN_HEADERS, SpinHeader, full_url, is_reserved_header,
    service_chaining_target, strip_spin_headers,
};
pub use router::{
    DuplicateRoute, RouteEntry, RouteError, RouteInfo, RouteMatch, Router, TriggerRoute,
    WELL_KNOWN_PREFIX, WellKnown, well_known,
};
