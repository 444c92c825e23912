//! From a validated token's claims to an [`Identity`], by the `[claims]`
//! configuration.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::authenticator::AuthError;
use crate::config::{ClaimsConfig, RuleCondition};
use crate::identity::Identity;
use crate::role::Role;

/// The longest subject or integration id accepted.
const MAX_ID_LEN: usize = 1024;

/// Maps claims to an identity: the role rules, default roles for people
/// (a token the rules make an [`Role::Integration`] gets none), subject,
/// organisations and, for integrations, the integration id.
pub(crate) fn identity_from_claims(
    config: &ClaimsConfig,
    claims: &Value,
) -> Result<Identity, AuthError> {
    let mut roles: BTreeSet<Role> = config
        .role_rules
        .iter()
        .filter(|rule| {
            let value = lookup(claims, &rule.claim);
            match (rule.condition(), value) {
                (Some(condition), Some(value)) => matches(condition, value),
                _ => false,
            }
        })
        .map(|rule| rule.role)
        .collect();
    let integration = if roles.contains(&Role::Integration) {
        Some(id_claim(claims, &config.integration)?)
    } else {
        roles.extend(config.default_roles.iter().copied());
        None
    };
    let subject = match (lookup(claims, &config.subject), &integration) {
        // A client-credentials token may carry no subject: the system is
        // its own subject then.
        (None | Some(Value::Null), Some(integration)) => integration.clone(),
        _ => id_claim(claims, &config.subject)?,
    };
    let organisations = organisations(claims, &config.organisations)?;
    Ok(Identity {
        subject,
        roles,
        organisations,
        integration,
    })
}

/// A claim by top-level name, or by JSON pointer when it starts with `/`.
pub(crate) fn lookup<'a>(claims: &'a Value, claim: &str) -> Option<&'a Value> {
    if claim.starts_with('/') {
        claims.pointer(claim)
    } else {
        claims.get(claim)
    }
}

fn matches(condition: RuleCondition<'_>, value: &Value) -> bool {
    match (condition, value) {
        (_, Value::Array(items)) => {
            let wanted = match condition {
                RuleCondition::Equals(v) | RuleCondition::Contains(v) => v,
            };
            items
                .iter()
                .any(|item| scalar_text(item).as_deref() == Some(wanted))
        }
        (RuleCondition::Contains(wanted), Value::String(text)) => {
            text.split_whitespace().any(|word| word == wanted)
        }
        (RuleCondition::Equals(wanted), scalar) => scalar_text(scalar).as_deref() == Some(wanted),
        (RuleCondition::Contains(_), _) => false,
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn id_claim(claims: &Value, claim: &str) -> Result<String, AuthError> {
    match lookup(claims, claim) {
        None | Some(Value::Null) => Err(AuthError::MissingClaim(claim.to_string())),
        Some(Value::String(id)) if !id.trim().is_empty() && id.len() <= MAX_ID_LEN => {
            Ok(id.clone())
        }
        Some(_) => Err(AuthError::InvalidClaim(claim.to_string())),
    }
}

fn organisations(claims: &Value, claim: &str) -> Result<Vec<String>, AuthError> {
    let mut found: Vec<String> = Vec::new();
    let mut push = |value: &str| {
        for part in value.split(|c: char| c == ',' || c.is_whitespace()) {
            if !part.is_empty() && !found.iter().any(|f| f == part) {
                found.push(part.to_string());
            }
        }
    };
    match lookup(claims, claim) {
        None | Some(Value::Null) => {}
        Some(Value::String(text)) => push(text),
        Some(Value::Array(items)) => {
            for item in items {
                let Value::String(text) = item else {
                    return Err(AuthError::InvalidClaim(claim.to_string()));
                };
                push(text);
            }
        }
        Some(_) => return Err(AuthError::InvalidClaim(claim.to_string())),
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::RoleRule;

    fn rule(claim: &str, equals: Option<&str>, contains: Option<&str>, role: Role) -> RoleRule {
        RoleRule {
            claim: claim.into(),
            equals: equals.map(Into::into),
            contains: contains.map(Into::into),
            role,
        }
    }

    fn config() -> ClaimsConfig {
        ClaimsConfig {
            role_rules: vec![
                rule("mdm_role", Some("programme"), None, Role::Programme),
                rule("scope", None, Some("mdm.integration"), Role::Integration),
                rule("roles", None, Some("mdm.producer"), Role::Producer),
                rule("roles", Some("mdm.orderer"), None, Role::Orderer),
                rule(
                    "/realm_access/roles",
                    None,
                    Some("mdm-admin"),
                    Role::PlatformAdmin,
                ),
                rule("staff", Some("true"), None, Role::PrivateProducer),
            ],
            ..ClaimsConfig::default()
        }
    }

    fn roles_of(claims: Value) -> Vec<Role> {
        identity_from_claims(&config(), &claims)
            .unwrap()
            .roles
            .into_iter()
            .collect()
    }

    #[test]
    fn role_rules_match_strings_words_arrays_and_pointers() {
        use Role::*;
        let cases: Vec<(Value, Vec<Role>)> = vec![
            (json!({"sub": "u"}), vec![Viewer]),
            (
                json!({"sub": "u", "mdm_role": "programme"}),
                vec![Programme, Viewer],
            ),
            // equals is the whole string, not a word of it
            (json!({"sub": "u", "mdm_role": "programme x"}), vec![Viewer]),
            (
                json!({"sub": "u", "mdm_role": ["x", "programme"]}),
                vec![Programme, Viewer],
            ),
            // contains: a word of a space-separated string, or an array element
            (
                json!({"sub": "u", "roles": "openid mdm.producer"}),
                vec![Producer, Viewer],
            ),
            (
                json!({"sub": "u", "roles": ["mdm.producer", "mdm.orderer"]}),
                vec![Orderer, Producer, Viewer],
            ),
            (json!({"sub": "u", "roles": "mdm.producers"}), vec![Viewer]),
            (
                json!({"sub": "u", "roles": {"mdm.producer": true}}),
                vec![Viewer],
            ),
            (
                json!({"sub": "u", "realm_access": {"roles": ["mdm-admin"]}}),
                vec![PlatformAdmin, Viewer],
            ),
            // booleans and numbers compare by their JSON text
            (
                json!({"sub": "u", "staff": true}),
                vec![PrivateProducer, Viewer],
            ),
            (json!({"sub": "u", "staff": "false"}), vec![Viewer]),
        ];
        for (claims, expected) in cases {
            assert_eq!(roles_of(claims.clone()), expected, "{claims}");
        }
    }

    #[test]
    fn an_integration_gets_no_default_roles_and_its_client_id() {
        let identity = identity_from_claims(
            &config(),
            &json!({"sub": "svc-1", "client_id": "journal", "scope": "openid mdm.integration"}),
        )
        .unwrap();
        assert_eq!(identity.roles, BTreeSet::from([Role::Integration]));
        assert_eq!(identity.integration.as_deref(), Some("journal"));
        assert_eq!(identity.subject, "svc-1");

        // without `sub`, the integration is its own subject
        let identity = identity_from_claims(
            &config(),
            &json!({"client_id": "journal", "scope": "mdm.integration"}),
        )
        .unwrap();
        assert_eq!(identity.subject, "journal");

        // an integration must say which one it is
        let error =
            identity_from_claims(&config(), &json!({"sub": "s", "scope": "mdm.integration"}))
                .unwrap_err();
        assert!(matches!(error, AuthError::MissingClaim(ref c) if c == "client_id"));
    }

    #[test]
    fn a_person_with_a_client_id_is_not_an_integration() {
        let identity =
            identity_from_claims(&config(), &json!({"sub": "u", "client_id": "portal"})).unwrap();
        assert_eq!(identity.integration, None);
        assert_eq!(identity.roles, BTreeSet::from([Role::Viewer]));
    }

    #[test]
    fn organisations_come_from_arrays_or_separated_strings() {
        let cases = [
            (json!({"sub": "u"}), vec![]),
            (json!({"sub": "u", "org": "A B,C, A"}), vec!["A", "B", "C"]),
            (json!({"sub": "u", "org": ["A", "B"]}), vec!["A", "B"]),
        ];
        for (claims, expected) in cases {
            let identity = identity_from_claims(&config(), &claims).unwrap();
            assert_eq!(identity.organisations, expected, "{claims}");
        }
        for bad in [
            json!({"sub": "u", "org": 5}),
            json!({"sub": "u", "org": [5]}),
        ] {
            let error = identity_from_claims(&config(), &bad).unwrap_err();
            assert!(matches!(error, AuthError::InvalidClaim(ref c) if c == "org"));
        }
    }

    #[test]
    fn a_person_needs_a_string_subject() {
        for (claims, reason) in [
            (json!({}), "missing_claim"),
            (json!({"sub": 7}), "invalid_claim"),
            (json!({"sub": " "}), "invalid_claim"),
        ] {
            let error = identity_from_claims(&config(), &claims).unwrap_err();
            assert_eq!(error.reason(), reason, "{claims}");
        }
    }
}
