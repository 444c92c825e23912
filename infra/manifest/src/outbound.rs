//! `allowed_outbound_hosts`: parsing and checking outbound destinations.
//!
//! Follows Spin's `crates/outbound-networking-config/src/allowed_hosts.rs`:
//!
//! * an entry is `<scheme>://<host>[:<port>]`; a scheme is required;
//! * scheme: `*` or letters only; host: `*`, `*.domain` (any subdomain, *not*
//!   the bare domain), a literal name or IP, or an IP CIDR block
//!   (`*://10.0.0.0/8:*`); port: `*`, a number, or a range `a..b` (end
//!   excluded, as in Spin);
//! * without a port, the scheme's well-known port is used (http 80,
//!   https 443, redis 6379, mysql 3306, postgres 5432, mqtt 1883); a scheme
//!   without one (including `*`) must give a port;
//! * an empty path (`https://example.com/`) is allowed, any other path is not;
//! * `insecure:allow-all` is rejected (use `*://*:*`);
//! * `{{ variable }}` placeholders are filled from resolved *application*
//!   variables before parsing (Spin uses its prepared application-variable
//!   resolver here, not component variables).
//!
//! Deliberate differences from Spin, each noted where implemented:
//! `self` (see [`AllowedHosts::parse`]), bracketed IPv6 hosts without a port
//! are accepted, hosts compare case-insensitively, an unbracketed host with a
//! `:` and an empty port range are rejected.

use std::net::IpAddr;

use crate::template;

/// The domain of service-chaining hosts: `http://<component-id>.spin.internal`.
pub const SERVICE_CHAINING_DOMAIN: &str = "spin.internal";

/// An `allowed_outbound_hosts` entry that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid allowed outbound host {entry:?}: {kind}")]
pub struct AllowedHostError {
    /// The entry as written (templates unresolved, so no variable value
    /// leaks into logs).
    pub entry: String,
    /// What is wrong with it.
    pub kind: AllowedHostErrorKind,
}

/// The reason an allowed-host entry is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AllowedHostErrorKind {
    /// `insecure:allow-all` (a Spin 1 `allowed_http_hosts` value).
    #[error(
        "'insecure:allow-all' is not allowed; use '*://*:*' if you really want to allow all outbound traffic"
    )]
    AllowAll,
    /// No `<scheme>://` prefix.
    #[error(
        "missing scheme: entries have the form <scheme>://<host>[:<port>] with '*' allowed in each part, e.g. 'https://example.com' or '*://localhost:*' (to allow everything: '*://*:*')"
    )]
    MissingScheme,
    /// The scheme is neither `*` nor letters.
    #[error("scheme {0:?} must be '*' or letters only")]
    InvalidScheme(String),
    /// `{a,b}` lists (reserved by Spin, not implemented there either).
    #[error("{0} lists ({{a,b}}) are not supported")]
    ListNotSupported(&'static str),
    /// The host part is malformed.
    #[error("invalid host {host:?}: {reason}")]
    InvalidHost {
        /// The host part.
        host: String,
        /// Why it is invalid.
        reason: &'static str,
    },
    /// The entry has a path (`https://example.com/api`).
    #[error("must not contain a path; give only <scheme>://<host>[:<port>]")]
    Path,
    /// The port part is malformed.
    #[error("invalid port {0:?}: expected a number, a range like 8000..9000, or '*'")]
    InvalidPort(String),
    /// No port given and the scheme has no well-known port.
    #[error("no port given and scheme {0:?} has no default port; add ':<port>' or ':*'")]
    NoDefaultPort(String),
    /// A `{{ }}` template is malformed.
    #[error("invalid template: {0}")]
    Template(String),
    /// A `{{ name }}` placeholder names no (resolved) application variable.
    #[error("`{{{{ {0} }}}}` is not a declared application variable")]
    UnknownVariable(String),
}

/// A destination a component wants to reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboundTarget<'a> {
    /// URL scheme, e.g. `https`.
    pub scheme: &'a str,
    /// Host name or IP (IPv6 in brackets, as `http::Uri::host` returns it).
    pub host: &'a str,
    /// Explicit port; `None` means the scheme's default port.
    pub port: Option<u16>,
}

impl<'a> OutboundTarget<'a> {
    /// A target from its parts.
    pub fn new(scheme: &'a str, host: &'a str, port: Option<u16>) -> Self {
        Self { scheme, host, port }
    }

    /// The target of an absolute URI; `None` without scheme or host.
    pub fn from_uri(uri: &'a http::Uri) -> Option<Self> {
        Some(Self {
            scheme: uri.scheme_str()?,
            host: uri.host()?,
            port: uri.port_u16(),
        })
    }
}

/// Well-known ports, as in Spin's `well_known_port`.
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme.to_ascii_lowercase().as_str() {
        "http" => Some(80),
        "https" => Some(443),
        "redis" => Some(6379),
        "mysql" => Some(3306),
        "postgres" => Some(5432),
        "mqtt" => Some(1883),
        _ => None,
    }
}

/// A parsed, resolved allow-list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts {
    entries: Vec<AllowedHost>,
}

/// One parsed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    original: String,
    scheme: SchemePattern,
    host: HostPattern,
    port: PortPattern,
    is_self: bool,
}

/// The scheme part of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemePattern {
    /// `*`.
    Any,
    /// A specific scheme (lower-case).
    Exact(String),
}

/// The host part of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    /// `*`.
    Any,
    /// `*.example.com`: any name ending in the stored suffix (`.example.com`).
    AnySubdomain(String),
    /// A literal host (lower-case; IPv6 in brackets).
    Exact(String),
    /// An IP network, `10.0.0.0/8` (host bits cleared, as Spin's
    /// `from_str_truncate` does).
    Cidr(IpAddr, u8),
}

/// The port part of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortPattern {
    /// `*`.
    Any,
    /// One port (explicit or the scheme default).
    Exact(u16),
    /// `start..end`, end excluded (as in Spin).
    Range(u16, u16),
}

impl AllowedHost {
    /// The entry as written (after template resolution).
    pub fn as_str(&self) -> &str {
        &self.original
    }
    /// The scheme pattern.
    pub fn scheme(&self) -> &SchemePattern {
        &self.scheme
    }
    /// The host pattern (`self` is stored as `*.spin.internal`).
    pub fn host(&self) -> &HostPattern {
        &self.host
    }
    /// The port pattern.
    pub fn port(&self) -> PortPattern {
        self.port
    }
    /// True for a `self` / `self.alt` entry.
    pub fn is_self(&self) -> bool {
        self.is_self
    }

    /// Whether this entry allows `target`.
    pub fn allows_target(&self, target: &OutboundTarget<'_>) -> bool {
        let scheme_ok = match &self.scheme {
            SchemePattern::Any => true,
            SchemePattern::Exact(s) => s.eq_ignore_ascii_case(target.scheme),
        };
        scheme_ok && self.host_allows(target.host) && self.port_allows(target)
    }

    fn host_allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        match &self.host {
            HostPattern::Any => true,
            HostPattern::AnySubdomain(suffix) => host.ends_with(suffix.as_str()),
            HostPattern::Exact(exact) => {
                *exact == host
                    || matches!((parse_ip(exact), parse_ip(&host)), (Some(a), Some(b)) if a == b)
            }
            HostPattern::Cidr(network, prefix) => {
                parse_ip(&host).is_some_and(|ip| in_network(ip, *network, *prefix))
            }
        }
    }

    fn port_allows(&self, target: &OutboundTarget<'_>) -> bool {
        let wanted = match self.port {
            PortPattern::Any => return true,
            _ => match target.port.or_else(|| default_port(target.scheme)) {
                Some(p) => p,
                None => return false,
            },
        };
        match self.port {
            PortPattern::Any => true,
            PortPattern::Exact(p) => p == wanted,
            PortPattern::Range(start, end) => (start..end).contains(&wanted),
        }
    }
}

impl AllowedHosts {
    /// Parses `entries`, filling `{{ name }}` placeholders with
    /// `resolve(name)`, and returns the allow-list with warnings for the host
    /// to print.
    ///
    /// Spin fills these placeholders from the resolved *application*
    /// variables (`|n| variables.app_value(n).map(str::to_owned)`), not from
    /// the component's variables.
    ///
    /// `self` / `self.alt` hosts (Spin's "requests to this application"):
    /// Spin grants relative-URL requests routed through the app's own router.
    /// This host has no such path, so the entry is accepted as
    /// `<scheme>://*.spin.internal[:<port>]` - service chaining to every
    /// component of the app - and a warning is returned. It is never granted
    /// implicitly (see GHSA-f3h7-gpjj-wcvh / CVE-2024-32980).
    pub fn parse<I, S>(
        entries: I,
        resolve: impl Fn(&str) -> Option<String>,
    ) -> Result<(Self, Vec<String>), AllowedHostError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out = AllowedHosts::default();
        let mut warnings = Vec::new();
        for entry in entries {
            let entry = entry.as_ref();
            let error = |kind| AllowedHostError {
                entry: entry.to_owned(),
                kind,
            };
            if entry.trim() == "insecure:allow-all" {
                return Err(error(AllowedHostErrorKind::AllowAll));
            }
            let parts = template::parse(entry)
                .map_err(|reason| error(AllowedHostErrorKind::Template(reason)))?;
            let text = if template::is_literal(&parts) {
                entry.to_owned()
            } else {
                template::render(&parts, &resolve)
                    .map_err(|name| error(AllowedHostErrorKind::UnknownVariable(name.to_owned())))?
            };
            let host = parse_entry(&text).map_err(error)?;
            if host.is_self {
                let port = match host.port {
                    PortPattern::Any => ":*".to_owned(),
                    PortPattern::Exact(p) => format!(":{p}"),
                    PortPattern::Range(a, b) => format!(":{a}..{b}"),
                };
                let scheme = match &host.scheme {
                    SchemePattern::Any => "*",
                    SchemePattern::Exact(s) => s,
                };
                warnings.push(format!(
                    "{entry:?} is treated as \"{scheme}://*.{SERVICE_CHAINING_DOMAIN}{port}\": it lets the component call every component of this application by service chaining (http://<component-id>.{SERVICE_CHAINING_DOMAIN}/...). Grant only what is needed with \"http://<component-id>.{SERVICE_CHAINING_DOMAIN}\" entries (see GHSA-f3h7-gpjj-wcvh)"
                ));
            }
            out.entries.push(host);
        }
        Ok((out, warnings))
    }

    /// Whether a request to `scheme://host:port` is allowed (give the
    /// effective port; see [`default_port`]).
    pub fn allows(&self, scheme: &str, host: &str, port: u16) -> bool {
        self.allows_target(&OutboundTarget::new(scheme, host, Some(port)))
    }

    /// Whether any entry allows `target` (a missing port means the scheme's
    /// default port).
    pub fn allows_target(&self, target: &OutboundTarget<'_>) -> bool {
        self.entries.iter().any(|e| e.allows_target(target))
    }

    /// Whether the absolute `uri` is allowed (`false` without scheme/host).
    pub fn allows_uri(&self, uri: &http::Uri) -> bool {
        OutboundTarget::from_uri(uri).is_some_and(|t| self.allows_target(&t))
    }

    /// Whether the component may call `http://<component_id>.spin.internal`.
    pub fn allows_service_chaining_to(&self, component_id: &str) -> bool {
        let host = format!("{component_id}.{SERVICE_CHAINING_DOMAIN}");
        self.allows_target(&OutboundTarget::new("http", &host, None))
    }

    /// Whether a `self` entry (or a `*` host) allows requests to this
    /// application with `scheme` (Spin's `allows_relative_url`).
    pub fn allows_self_requests(&self, scheme: &str) -> bool {
        self.entries.iter().any(|e| {
            (e.is_self || e.host == HostPattern::Any)
                && match &e.scheme {
                    SchemePattern::Any => true,
                    SchemePattern::Exact(s) => s.eq_ignore_ascii_case(scheme),
                }
        })
    }

    /// The parsed entries.
    pub fn entries(&self) -> &[AllowedHost] {
        &self.entries
    }

    /// True when nothing is allowed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn parse_entry(text: &str) -> Result<AllowedHost, AllowedHostErrorKind> {
    let url = text.trim();
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(AllowedHostErrorKind::MissingScheme);
    };
    let scheme = parse_scheme(scheme)?;

    // Split host and port. Spin uses `rsplit_once(':')`, which mangles
    // `[::1]` without a port; brackets are handled explicitly here.
    let (host, port_and_path) = if rest.starts_with('[') {
        let close = rest.find(']').ok_or(AllowedHostErrorKind::InvalidHost {
            host: rest.to_owned(),
            reason: "unclosed '['",
        })?;
        let (host, after) = rest.split_at(close + 1);
        match after.strip_prefix(':') {
            Some(port) => (host, port),
            None if after.is_empty() || after.starts_with('/') => {
                check_empty_path(after)?;
                (host, "")
            }
            None => {
                return Err(AllowedHostErrorKind::InvalidHost {
                    host: rest.to_owned(),
                    reason: "unexpected text after ']'",
                });
            }
        }
    } else {
        rest.rsplit_once(':').unwrap_or((rest, ""))
    };
    let port = match port_and_path.split_once('/') {
        Some((port, path)) => {
            if !path.is_empty() {
                return Err(AllowedHostErrorKind::Path);
            }
            port
        }
        None => port_and_path,
    };

    let (host, is_self) = parse_host(host)?;
    let port = parse_port(port, scheme_text(&scheme))?;
    Ok(AllowedHost {
        original: url.to_owned(),
        scheme,
        host,
        port,
        is_self,
    })
}

fn check_empty_path(after_host: &str) -> Result<(), AllowedHostErrorKind> {
    match after_host.strip_prefix('/') {
        Some(path) if !path.is_empty() => Err(AllowedHostErrorKind::Path),
        _ => Ok(()),
    }
}

fn scheme_text(scheme: &SchemePattern) -> &str {
    match scheme {
        SchemePattern::Any => "*",
        SchemePattern::Exact(s) => s,
    }
}

fn parse_scheme(scheme: &str) -> Result<SchemePattern, AllowedHostErrorKind> {
    if scheme == "*" {
        return Ok(SchemePattern::Any);
    }
    if scheme.starts_with('{') {
        return Err(AllowedHostErrorKind::ListNotSupported("scheme"));
    }
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(AllowedHostErrorKind::InvalidScheme(scheme.to_owned()));
    }
    Ok(SchemePattern::Exact(scheme.to_ascii_lowercase()))
}

/// Returns the pattern and whether it came from `self`.
fn parse_host(raw: &str) -> Result<(HostPattern, bool), AllowedHostErrorKind> {
    let host = raw.trim();
    let invalid = |reason| AllowedHostErrorKind::InvalidHost {
        host: host.to_owned(),
        reason,
    };
    if host == "*" {
        return Ok((HostPattern::Any, false));
    }
    // Spin compares before trimming a trailing '/', so there "https://self/"
    // silently becomes the literal host "self"; here both spellings are
    // `self`.
    if matches!(host.trim_end_matches('/'), "self" | "self.alt") {
        let suffix = format!(".{SERVICE_CHAINING_DOMAIN}");
        return Ok((HostPattern::AnySubdomain(suffix), true));
    }
    if host.starts_with('{') {
        return Err(AllowedHostErrorKind::ListNotSupported("host"));
    }
    if let Some(cidr) = parse_cidr(host) {
        return Ok((cidr, false));
    }
    if matches!(host.split('/').nth(1), Some(path) if !path.is_empty()) {
        return Err(AllowedHostErrorKind::Path);
    }
    let host = host.trim_end_matches('/');
    if host.is_empty() {
        return Err(invalid("missing host"));
    }
    if let Some(domain) = host.strip_prefix("*.") {
        if domain.contains('*') || domain.is_empty() {
            return Err(invalid(
                "'*' is allowed only as the whole host or as a leading '*.' subdomain wildcard",
            ));
        }
        return Ok((
            HostPattern::AnySubdomain(format!(".{}", domain.to_ascii_lowercase())),
            false,
        ));
    }
    if host.contains('*') {
        return Err(invalid(
            "'*' is allowed only as the whole host or as a leading '*.' subdomain wildcard",
        ));
    }
    if host.contains(':') && !host.starts_with('[') {
        return Err(invalid(
            "IPv6 addresses must be written in brackets, e.g. [::1]",
        ));
    }
    Ok((HostPattern::Exact(host.to_ascii_lowercase()), false))
}

fn parse_port(port: &str, scheme: &str) -> Result<PortPattern, AllowedHostErrorKind> {
    if port.is_empty() {
        return default_port(scheme)
            .map(PortPattern::Exact)
            .ok_or_else(|| AllowedHostErrorKind::NoDefaultPort(scheme.to_owned()));
    }
    if port == "*" {
        return Ok(PortPattern::Any);
    }
    if port.starts_with('{') {
        return Err(AllowedHostErrorKind::ListNotSupported("port"));
    }
    let invalid = || AllowedHostErrorKind::InvalidPort(port.to_owned());
    if let Some((start, end)) = port.split_once("..") {
        let start: u16 = start.parse().map_err(|_| invalid())?;
        let end: u16 = end.parse().map_err(|_| invalid())?;
        // Spin accepts an empty range (which matches nothing); reject it.
        if start >= end {
            return Err(invalid());
        }
        return Ok(PortPattern::Range(start, end));
    }
    port.parse().map(PortPattern::Exact).map_err(|_| invalid())
}

/// `10.0.0.0/8`, `ff00::/8`; host bits are cleared.
fn parse_cidr(host: &str) -> Option<HostPattern> {
    let (addr, prefix) = host.split_once('/')?;
    let addr: IpAddr = addr
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    let prefix: u8 = prefix.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if prefix > max {
        return None;
    }
    Some(HostPattern::Cidr(mask(addr, prefix), prefix))
}

fn mask(addr: IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let m = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - prefix)
            };
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - prefix)
            };
            IpAddr::V6((bits & m).into())
        }
    }
}

fn in_network(ip: IpAddr, network: IpAddr, prefix: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
            mask(ip, prefix) == network
        }
        _ => false,
    }
}

fn parse_ip(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// Converts the deprecated `allowed_http_hosts` list to
/// `allowed_outbound_hosts` entries, as Spin's
/// `compat::convert_allowed_http_to_allowed_hosts` does: `insecure:allow-all`
/// becomes `http://*:*`, `https://*:*`, `http://self`; `self` becomes
/// `http://self`; `host[:port]` (optionally with an `http(s)://` prefix and a
/// trailing `/`) becomes `http://host[:port]` and `https://host[:port]`.
pub fn convert_allowed_http_hosts<S: AsRef<str>>(
    hosts: &[S],
) -> Result<Vec<String>, AllowedHostError> {
    if hosts.iter().any(|h| h.as_ref() == "insecure:allow-all") {
        return Ok(vec![
            "http://*:*".into(),
            "https://*:*".into(),
            "http://self".into(),
        ]);
    }
    let mut out = Vec::new();
    for host in hosts {
        let entry = host.as_ref();
        if entry == "self" {
            out.push("http://self".into());
            continue;
        }
        let error = |kind| AllowedHostError {
            entry: entry.to_owned(),
            kind,
        };
        let bare = if entry.contains("//") {
            let lower = entry.to_ascii_lowercase();
            if let Some(rest) = lower.strip_prefix("http://") {
                &entry[entry.len() - rest.len()..]
            } else if let Some(rest) = lower.strip_prefix("https://") {
                &entry[entry.len() - rest.len()..]
            } else {
                let scheme = entry.split("://").next().unwrap_or(entry);
                return Err(error(AllowedHostErrorKind::InvalidScheme(
                    scheme.to_owned(),
                )));
            }
        } else {
            entry
        };
        let bare = bare.strip_suffix('/').unwrap_or(bare);
        if bare.contains('/') {
            return Err(error(AllowedHostErrorKind::Path));
        }
        let (name, port) = if bare.starts_with('[') {
            match bare.find(']') {
                Some(close) => (&bare[..=close], bare[close + 1..].strip_prefix(':')),
                None => {
                    return Err(error(AllowedHostErrorKind::InvalidHost {
                        host: bare.to_owned(),
                        reason: "unclosed '['",
                    }));
                }
            }
        } else {
            match bare.rsplit_once(':') {
                Some((name, port)) => (name, Some(port)),
                None => (bare, None),
            }
        };
        if name.is_empty() || name.contains('*') {
            return Err(error(AllowedHostErrorKind::InvalidHost {
                host: bare.to_owned(),
                reason: "expected a host name or IP address",
            }));
        }
        let suffix = match port {
            Some(p) => {
                p.parse::<u16>()
                    .map_err(|_| error(AllowedHostErrorKind::InvalidPort(p.to_owned())))?;
                format!(":{p}")
            }
            None => String::new(),
        };
        out.push(format!("http://{name}{suffix}"));
        out.push(format!("https://{name}{suffix}"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_one(entry: &str) -> Result<AllowedHost, AllowedHostErrorKind> {
        AllowedHosts::parse([entry], |_| None)
            .map(|(h, _)| h.entries[0].clone())
            .map_err(|e| e.kind)
    }

    #[test]
    fn default_ports_follow_the_scheme() {
        assert_eq!(
            parse_one("http://a.com").unwrap().port,
            PortPattern::Exact(80)
        );
        assert_eq!(
            parse_one("https://a.com").unwrap().port,
            PortPattern::Exact(443)
        );
        assert_eq!(
            parse_one("redis://a.com").unwrap().port,
            PortPattern::Exact(6379)
        );
        assert_eq!(
            parse_one("*://a.com").unwrap_err(),
            AllowedHostErrorKind::NoDefaultPort("*".into())
        );
    }

    #[test]
    fn cidr_blocks_clear_host_bits() {
        let h = parse_one("*://127.0.0.1/24:63551").unwrap();
        assert_eq!(h.host, HostPattern::Cidr("127.0.0.0".parse().unwrap(), 24));
        assert!(h.allows_target(&OutboundTarget::new("tcp", "127.0.0.9", Some(63551))));
        assert!(!h.allows_target(&OutboundTarget::new("tcp", "127.0.1.9", Some(63551))));
        let v6 = parse_one("*://ff00::/8:80").unwrap();
        assert!(v6.allows_target(&OutboundTarget::new("http", "[ff01::1]", Some(80))));
    }

    #[test]
    fn deprecated_http_hosts_convert_like_spin() {
        assert_eq!(
            convert_allowed_http_hosts(&["example.com", "localhost:3001", "self"]).unwrap(),
            [
                "http://example.com",
                "https://example.com",
                "http://localhost:3001",
                "https://localhost:3001",
                "http://self"
            ]
        );
        assert_eq!(
            convert_allowed_http_hosts(&["http://spin.dev:4444/"]).unwrap(),
            ["http://spin.dev:4444", "https://spin.dev:4444"]
        );
        assert_eq!(
            convert_allowed_http_hosts(&["a.com", "insecure:allow-all"]).unwrap(),
            ["http://*:*", "https://*:*", "http://self"]
        );
        assert!(convert_allowed_http_hosts(&["ftp://a.com"]).is_err());
        assert!(convert_allowed_http_hosts(&["http://a.com/x"]).is_err());
    }
}
