//! The platform's roles: a closed set, named in kebab-case in the
//! configuration and in the `x-mdm-roles` header.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a caller may do on the platform. Tokens are mapped to roles by the
/// `[claims]` rules of the configuration; routes name the roles they admit.
///
/// The variants are declared in alphabetical order of their names, so a
/// `BTreeSet<Role>` iterates (and `x-mdm-roles` lists) them sorted by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A consuming system fetching masterdata through its integration
    /// (client credentials); its traffic is metered and rate limited.
    Integration,
    /// An (authorized) orderer at a consuming organisation: fills in and
    /// signs orders for integrations.
    Orderer,
    /// Platform operators.
    PlatformAdmin,
    /// A masterdata producer for private care providers: fetches private
    /// units from Ek and supplements them.
    PrivateProducer,
    /// A masterdata producer for the region's own units.
    Producer,
    /// The masterdata programme: reviews and approves orders, connects
    /// integrations.
    Programme,
    /// Any authenticated member of staff: views all masterdata.
    Viewer,
}

impl Role {
    /// Every role, in the order of their names.
    pub const ALL: [Role; 7] = [
        Role::Integration,
        Role::Orderer,
        Role::PlatformAdmin,
        Role::PrivateProducer,
        Role::Producer,
        Role::Programme,
        Role::Viewer,
    ];

    /// The role's kebab-case name, as written in the configuration and headers.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Integration => "integration",
            Role::Orderer => "orderer",
            Role::PlatformAdmin => "platform-admin",
            Role::PrivateProducer => "private-producer",
            Role::Producer => "producer",
            Role::Programme => "programme",
            Role::Viewer => "viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of the platform's roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role {0:?} (one of: integration, orderer, platform-admin, private-producer, producer, programme, viewer)"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_sorted() {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "declaration order must be name order");
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        assert!("admin".parse::<Role>().is_err());
    }
}
