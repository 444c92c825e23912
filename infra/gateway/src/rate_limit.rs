//! Per-integration rate limits (GCRA, by the `governor` crate): each
//! integration id has its own bucket of `burst` requests refilled at
//! `requests_per_second`.

use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use http::HeaderValue;

use crate::config::RateLimitConfig;

/// An integration is over its limit; it may send again after this long
/// (HTTP 429 with `Retry-After`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many requests for this integration; retry after {} s", self.seconds())]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds to wait, rounded up, at least 1 (`Retry-After` has
    /// whole seconds only).
    pub fn seconds(&self) -> u64 {
        let whole = self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0);
        whole.max(1)
    }

    /// The `Retry-After` header value.
    pub fn header_value(&self) -> HeaderValue {
        HeaderValue::from(self.seconds())
    }
}

/// The rate limiter, one state per integration id. `Send + Sync`.
#[derive(Debug)]
pub struct RateLimiter {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl RateLimiter {
    /// A limiter with the configured rate and burst.
    pub fn new(config: &RateLimitConfig) -> Self {
        let quota = Quota::per_second(config.requests_per_second).allow_burst(config.burst);
        Self {
            limiter: DefaultKeyedRateLimiter::dashmap(quota),
        }
    }

    /// Counts one request of `integration`; `Err` when it is over its limit.
    pub fn check(&self, integration: &str) -> Result<(), RetryAfter> {
        let key = integration.to_string();
        self.limiter
            .check_key(&key)
            .map_err(|not_until| RetryAfter(not_until.wait_time_from(self.limiter.clock().now())))
    }

    /// Forgets integrations whose buckets are full again; call now and then
    /// (e.g. every minute) to keep memory bounded.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// How many integrations have state.
    pub fn tracked(&self) -> usize {
        self.limiter.len()
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;

    fn limiter(rps: u32, burst: u32) -> RateLimiter {
        RateLimiter::new(&RateLimitConfig {
            requests_per_second: NonZeroU32::new(rps).unwrap(),
            burst: NonZeroU32::new(burst).unwrap(),
        })
    }

    #[test]
    fn allows_the_burst_then_says_when_to_retry() {
        let limiter = limiter(1, 3);
        for _ in 0..3 {
            limiter.check("journal").unwrap();
        }
        let retry = limiter.check("journal").unwrap_err();
        assert!(
            retry.0 > Duration::ZERO && retry.0 <= Duration::from_secs(1),
            "{retry:?}"
        );
        assert_eq!(retry.seconds(), 1);
        assert_eq!(retry.header_value(), "1");
    }

    #[test]
    fn integrations_have_separate_buckets() {
        let limiter = limiter(1, 1);
        limiter.check("a").unwrap();
        assert!(limiter.check("a").is_err());
        limiter.check("b").unwrap();
        assert_eq!(limiter.tracked(), 2);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        for (wait, seconds) in [
            (Duration::ZERO, 1),
            (Duration::from_millis(1), 1),
            (Duration::from_millis(1000), 1),
            (Duration::from_millis(1001), 2),
            (Duration::from_secs(30), 30),
        ] {
            assert_eq!(RetryAfter(wait).seconds(), seconds, "{wait:?}");
        }
    }
}
