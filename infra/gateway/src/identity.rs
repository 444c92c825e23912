//! The verified identity and the header contract by which the gateway hands
//! it to components.
//!
//! Contract: every inbound header whose name starts with
//! [`IDENTITY_HEADER_PREFIX`] is removed ([`strip_identity_headers`]); for an
//! authenticated request the gateway then sets
//!
//! | header | value |
//! |---|---|
//! | `x-mdm-subject` | the subject |
//! | `x-mdm-roles` | the roles, comma-separated, sorted by name |
//! | `x-mdm-organisations` | the organisations, comma-separated, in token order (left out when none) |
//! | `x-mdm-integration` | the integration id (integrations only) |
//!
//! Values are percent-encoded where they hold a byte outside visible ASCII,
//! `%` or `,` (`%XX`, upper-case hex), so they always fit a header and a
//! comma always separates. Values from the region's IdP (HSA-ids,
//! organisation numbers, UUIDs) pass unchanged.

use std::collections::BTreeSet;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::role::Role;

/// Every identity header starts with this; clients can never send one.
pub const IDENTITY_HEADER_PREFIX: &str = "x-mdm-";
/// The subject header.
pub const SUBJECT_HEADER: &str = "x-mdm-subject";
/// The roles header.
pub const ROLES_HEADER: &str = "x-mdm-roles";
/// The organisations header.
pub const ORGANISATIONS_HEADER: &str = "x-mdm-organisations";
/// The integration header, present only for integrations.
pub const INTEGRATION_HEADER: &str = "x-mdm-integration";

/// Who is calling, as established from a validated token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The subject (a person's or system's id at the IdP).
    pub subject: String,
    /// The roles granted by the claim rules (and default roles for people).
    pub roles: BTreeSet<Role>,
    /// The organisations (HSA-ids or organisation numbers) the caller acts for.
    pub organisations: Vec<String>,
    /// The integration id, for a system calling through its integration.
    pub integration: Option<String>,
}

impl Identity {
    /// Whether this is a system calling through its integration.
    pub fn is_integration(&self) -> bool {
        self.integration.is_some()
    }

    /// Whether the identity has `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The identity headers to set on the request passed to a component
    /// (after [`strip_identity_headers`]).
    pub fn to_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static(SUBJECT_HEADER),
            encode_value(&self.subject),
        );
        let roles: Vec<&str> = self.roles.iter().map(|r| r.as_str()).collect();
        headers.insert(
            HeaderName::from_static(ROLES_HEADER),
            header_value(roles.join(",")),
        );
        if !self.organisations.is_empty() {
            let organisations: Vec<String> = self
                .organisations
                .iter()
                .map(|o| percent_encode(o))
                .collect();
            headers.insert(
                HeaderName::from_static(ORGANISATIONS_HEADER),
                header_value(organisations.join(",")),
            );
        }
        if let Some(integration) = &self.integration {
            headers.insert(
                HeaderName::from_static(INTEGRATION_HEADER),
                encode_value(integration),
            );
        }
        headers
    }
}

/// Removes every header whose name starts with [`IDENTITY_HEADER_PREFIX`],
/// all values of each.
pub fn strip_identity_headers(headers: &mut HeaderMap) {
    let names: Vec<HeaderName> = headers
        .keys()
        .filter(|name| name.as_str().starts_with(IDENTITY_HEADER_PREFIX))
        .cloned()
        .collect();
    for name in names {
        headers.remove(&name);
    }
}

fn encode_value(value: &str) -> HeaderValue {
    header_value(percent_encode(value))
}

fn header_value(encoded: String) -> HeaderValue {
    // Only visible ASCII is left after encoding, which is always valid.
    HeaderValue::from_str(&encoded).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Percent-encodes bytes outside visible ASCII, and `%` and `,`.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_graphic() && byte != b'%' && byte != b',' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
        headers.get(name).map(|v| v.to_str().unwrap())
    }

    #[test]
    fn a_person_gets_subject_sorted_roles_and_organisations() {
        let identity = Identity {
            subject: "SE2321000016-A1B2".into(),
            roles: BTreeSet::from([Role::Viewer, Role::Producer, Role::PrivateProducer]),
            organisations: vec!["SE2321000016-0001".into(), "2321000016".into()],
            integration: None,
        };
        let headers = identity.to_headers();
        assert_eq!(header(&headers, SUBJECT_HEADER), Some("SE2321000016-A1B2"));
        assert_eq!(
            header(&headers, ROLES_HEADER),
            Some("private-producer,producer,viewer")
        );
        assert_eq!(
            header(&headers, ORGANISATIONS_HEADER),
            Some("SE2321000016-0001,2321000016")
        );
        assert_eq!(header(&headers, INTEGRATION_HEADER), None);
        assert_eq!(headers.len(), 3);
        assert!(!identity.is_integration());
    }

    #[test]
    fn an_integration_gets_the_integration_header_and_no_empty_organisations() {
        let identity = Identity {
            subject: "svc-journal".into(),
            roles: BTreeSet::from([Role::Integration]),
            organisations: vec![],
            integration: Some("journal-system".into()),
        };
        let headers = identity.to_headers();
        assert_eq!(header(&headers, ROLES_HEADER), Some("integration"));
        assert_eq!(header(&headers, INTEGRATION_HEADER), Some("journal-system"));
        assert_eq!(header(&headers, ORGANISATIONS_HEADER), None);
        assert!(identity.is_integration());
    }

    #[test]
    fn values_outside_visible_ascii_are_percent_encoded() {
        let identity = Identity {
            subject: "Åsa Öberg,50%".into(),
            roles: BTreeSet::new(),
            organisations: vec!["a,b".into(), "c d".into()],
            integration: None,
        };
        let headers = identity.to_headers();
        assert_eq!(
            header(&headers, SUBJECT_HEADER),
            Some("%C3%85sa%20%C3%96berg%2C50%25")
        );
        assert_eq!(header(&headers, ROLES_HEADER), Some(""));
        assert_eq!(header(&headers, ORGANISATIONS_HEADER), Some("a%2Cb,c%20d"));
    }

    #[test]
    fn strips_every_inbound_identity_header_and_nothing_else() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("x-mdm-subject", "mallory"),
            ("X-MDM-Roles", "platform-admin"),
            ("x-mdm-integration", "free-rider"),
            ("x-mdm-anything-new", "1"),
            ("x-mdmsubject", "kept"),
            ("authorization", "Bearer x"),
            ("content-type", "application/json"),
        ] {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_static(value),
            );
        }
        headers.append("x-mdm-subject", HeaderValue::from_static("second value"));
        strip_identity_headers(&mut headers);
        let mut left: Vec<&str> = headers.keys().map(|k| k.as_str()).collect();
        left.sort_unstable();
        assert_eq!(left, ["authorization", "content-type", "x-mdmsubject"]);
    }
}
