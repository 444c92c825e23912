//! Prometheus metrics of the host: requests by component and status, latency
//! per component, authentication failures by reason. Served as text at
//! `/metrics`.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    component: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ComponentLabel {
    component: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: String,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms … ~4 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

/// The host's metric families, shared by every request.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<ComponentLabel, Histogram, fn() -> Histogram>,
    auth_failures: Family<ReasonLabel, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("mdm");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<ComponentLabel, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let auth_failures = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by component (`-` when none ran) and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from receiving a request to its response head, by component",
            latency.clone(),
        );
        registry.register(
            "auth_failures",
            "Requests refused by the gateway, by reason",
            auth_failures.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            auth_failures,
        }
    }

    /// Records one answered request.
    pub fn request(&self, component: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                component: component.to_string(),
                status: status.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&ComponentLabel {
                component: component.to_string(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Records a refusal by the gateway (`reason` is a stable label).
    pub fn auth_failure(&self, reason: &str) {
        self.auth_failures
            .get_or_create(&ReasonLabel {
                reason: reason.to_string(),
            })
            .inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_failures() {
        let m = Metrics::new();
        m.request("unit-lookup", 200, Duration::from_millis(3));
        m.request("unit-lookup", 200, Duration::from_millis(5));
        m.request("-", 404, Duration::from_micros(40));
        m.auth_failure("expired");
        let text = m.render();
        assert!(
            text.contains(r#"mdm_http_requests_total{component="unit-lookup",status="200"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"mdm_http_requests_total{component="-",status="404"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"mdm_http_request_duration_seconds_count{component="unit-lookup"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"mdm_auth_failures_total{reason="expired"} 1"#),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
