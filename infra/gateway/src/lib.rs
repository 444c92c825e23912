//! The platform gateway, as a library the host runs in front of every
//! component:
//!
//! 1. [`GatewayConfig`] — `infra/gateway.toml`: issuer, claims → identity,
//!    route policy, rate limits, development IdP.
//! 2. [`Authenticator`] — validates the OIDC access token of a request
//!    (`Authorization: Bearer <JWT>`) against the issuer's JWKS and maps its
//!    claims to an [`Identity`]; failures are [`AuthError`]s (401, or 503
//!    when the keys are unavailable).
//! 3. [`RoutePolicy`] — deny by default: the longest matching prefix with a
//!    matching method decides which [`Role`]s may pass ([`Forbidden`], 403).
//! 4. The identity header contract — [`strip_identity_headers`] removes every
//!    inbound `x-mdm-*`, [`Identity::to_headers`] sets the verified ones.
//! 5. [`RateLimiter`] — per integration; [`RetryAfter`] (429).
//! 6. [`DevIdp`] — a local issuer that mints demo tokens, loopback only.
//!
//! A request's way through it, as the host wires it:
//!
//! ```text
//! strip_identity_headers(headers)
//! if policy.is_public(path)            -> pass on
//! identity = authenticator.authenticate(authorization).await?   // 401 / 503
//! policy.authorize(&identity, method, path)?                     // 403
//! if let Some(id) = &identity.integration { limiter.check(id)? } // 429
//! headers.extend(identity.to_headers())                          -> pass on
//! ```
//!
//! Invariants: only this crate sees raw tokens and never logs or returns
//! them; keys come only from the configured issuer's JWKS (or the dev IdP),
//! never from a token; symmetric algorithms and `none` are never accepted.

#![warn(missing_docs)]

mod authenticator;
mod claims;
mod config;
mod dev_idp;
mod identity;
mod keys;
mod policy;
mod rate_limit;
mod role;

pub use authenticator::{AuthError, Authenticator, AuthenticatorSettings, REALM};
pub use config::{
    ClaimsConfig, ConfigError, DevIdpConfig, GatewayConfig, HttpMethod, IssuerConfig,
    RateLimitConfig, RoleRule, RouteRule, RuleCondition, SigningAlgorithm,
};
pub use dev_idp::{
    DEMO_INTEGRATION, DEMO_ORGANISATION, DEV_IDP_DISCOVERY_PATH, DEV_IDP_JWKS_PATH,
    DEV_IDP_KEY_FILE, DEV_IDP_PATH, DevIdp, DevIdpError, check_dev_idp_allowed,
};
pub use identity::{
    IDENTITY_HEADER_PREFIX, INTEGRATION_HEADER, Identity, ORGANISATIONS_HEADER, ROLES_HEADER,
    SUBJECT_HEADER, strip_identity_headers,
};
pub use jsonwebtoken::jwk::{Jwk, JwkSet};
pub use keys::{HttpKeySource, KeySource, KeySourceError};
pub use policy::{Forbidden, ForbiddenKind, RoutePolicy};
pub use rate_limit::{RateLimiter, RetryAfter};
pub use role::{Role, UnknownRole};

#[cfg(test)]
mod tests {
    use super::*;

    fn shareable<T: Send + Sync + 'static>() {}

    #[test]
    fn the_gateway_parts_can_be_shared_across_tasks() {
        shareable::<Authenticator>();
        shareable::<RoutePolicy>();
        shareable::<RateLimiter>();
        shareable::<DevIdp>();
        shareable::<HttpKeySource>();
        shareable::<GatewayConfig>();
    }
}
