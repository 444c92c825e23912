//! The gateway's behaviour at its boundaries: tokens in, identities, policy
//! decisions and keys over HTTP out.

mod authenticate;
mod dev_idp;
mod http_keys;
mod platform_policy;
mod support;
