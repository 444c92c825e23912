//! Identifier newtypes, validated with the same rules Spin applies.
//!
//! Spin (`crates/serde/src/id.rs`) validates ids as one or more *words* joined
//! by a delimiter (`-` for kebab-case, `_` for snake_case):
//!
//! * the id is not empty and contains no empty word (so no leading, trailing
//!   or doubled delimiter);
//! * the "other" delimiter is rejected with a dedicated message
//!   (`_` in a kebab id, `-` in a snake id);
//! * the first word starts with an ASCII letter, later words with an ASCII
//!   letter or digit;
//! * the remaining characters are ASCII letters, digits or `:`;
//! * each word is all lower-case or all upper-case, and "lower" ids
//!   (component ids) must be all lower-case.
//!
//! Variable names are checked by Spin twice: as `LowerSnakeId` when the
//! manifest is deserialized and again by `spin_expressions::Key::validate`
//! when the resolver is built. The second check is the stricter one (only
//! `[a-z0-9_]`, starts with a letter, ends with a letter or digit, no `__`),
//! so [`VariableName`] applies exactly that rule.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which delimiter an id uses.
#[derive(Clone, Copy)]
enum Delim {
    Kebab,
    Snake,
}

impl Delim {
    fn char(self) -> char {
        match self {
            Delim::Kebab => '-',
            Delim::Snake => '_',
        }
    }

    fn wrong(self) -> char {
        match self {
            Delim::Kebab => '_',
            Delim::Snake => '-',
        }
    }
}

/// Checks `id` against Spin's word-based id rules (see the module docs).
fn check_words(id: &str, delim: Delim, lower_only: bool) -> Result<(), String> {
    if id.is_empty() {
        return Err("must not be empty".into());
    }
    if id.contains(delim.wrong()) {
        return Err(format!(
            "words must be separated with '{}', not '{}'",
            delim.char(),
            delim.wrong()
        ));
    }
    for (index, word) in id.split(delim.char()).enumerate() {
        let mut chars = word.chars();
        let Some(first) = chars.next() else {
            return Err(format!(
                "'{}'-separated words must not be empty",
                delim.char()
            ));
        };
        let first_ok = first.is_ascii_alphabetic() || (index > 0 && first.is_ascii_digit());
        if !first_ok {
            return Err(if index == 0 {
                format!("must start with an ASCII letter, found {first:?}")
            } else {
                format!("each word must start with an ASCII letter or digit, found {first:?}")
            });
        }
        let upper = first.is_ascii_uppercase();
        for ch in chars {
            if ch.is_ascii_digit() || ch == ':' {
                continue;
            }
            if !ch.is_ascii_alphabetic() {
                return Err(format!(
                    "may only contain ASCII letters, digits, '{}' and ':', found {ch:?}",
                    delim.char()
                ));
            }
            if ch.is_ascii_uppercase() != upper {
                return Err(format!(
                    "each word must be all lower-case or all upper-case, found {word:?}"
                ));
            }
        }
        if lower_only && upper {
            return Err("must be all lower-case".into());
        }
    }
    Ok(())
}

/// Spin's `Key::validate` rule for variable names.
fn check_variable_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        return Err(format!(
            "invalid character {bad:?}: variable names may contain only lower-case letters, digits and '_'"
        ));
    }
    if !name.as_bytes()[0].is_ascii_lowercase() {
        return Err("must start with a lower-case letter".into());
    }
    if !name.as_bytes()[name.len() - 1].is_ascii_alphanumeric() {
        return Err("must end with a lower-case letter or digit".into());
    }
    if name.contains("__") {
        return Err("must not contain consecutive underscores".into());
    }
    Ok(())
}

macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident, $what:literal, $check:expr) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates `value` and wraps it.
            pub fn new(value: impl Into<String>) -> Result<Self, String> {
                let value = value.into();
                let check: fn(&str) -> Result<(), String> = $check;
                match check(&value) {
                    Ok(()) => Ok(Self(value)),
                    Err(reason) => Err(format!(concat!("invalid ", $what, " {:?}: {}"), value, reason)),
                }
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = String;
            fn try_from(value: &str) -> Result<Self, String> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

string_newtype!(
    /// A component id (`[component.<id>]`): kebab-case, lower-case
    /// (Spin's `KebabId`), e.g. `unit-lookup`.
    ComponentId,
    "component id",
    |s| check_words(s, Delim::Kebab, true)
);

string_newtype!(
    /// An application or component variable name: lower-case letters,
    /// digits and single underscores, starting with a letter
    /// (Spin's `spin_expressions::Key`), e.g. `api_host`.
    VariableName,
    "variable name",
    check_variable_name
);

string_newtype!(
    /// A `key_value_stores` / `sqlite_databases` label: kebab-case
    /// (lower-case) or snake_case (each word all lower- or all upper-case),
    /// as Spin's `kebab_or_snake_case` accepts, e.g. `default`, `my-store`.
    Label,
    "store label",
    |s| {
        let kebab = check_words(s, Delim::Kebab, true);
        if kebab.is_ok() || check_words(s, Delim::Snake, false).is_ok() {
            Ok(())
        } else {
            Err("expected kebab-case or snake_case".into())
        }
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_ids_follow_spin_kebab_rules() {
        for good in ["a", "unit-lookup", "api-v1", "a-1b", "x:y"] {
            ComponentId::new(good).unwrap_or_else(|e| panic!("{good}: {e}"));
        }
        for bad in [
            "",
            "Unit",
            "unit_lookup",
            "-a",
            "a-",
            "a--b",
            "1a",
            "a b",
            "a.b",
            "uNit",
        ] {
            assert!(ComponentId::new(bad).is_err(), "{bad:?} should be rejected");
        }
        let err = ComponentId::new("unit_lookup").unwrap_err();
        assert!(err.contains("'-', not '_'"), "{err}");
    }

    #[test]
    fn variable_names_follow_spin_key_rules() {
        for good in ["a", "abc", "a1b2c3", "a_1", "a_1_b_3", "api_host"] {
            VariableName::new(good).unwrap_or_else(|e| panic!("{good}: {e}"));
        }
        for bad in ["", "aX", "1bc", "_x", "x.y", "x_", "a__b", "x-y", "x:y"] {
            assert!(
                VariableName::new(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn labels_accept_kebab_or_snake() {
        for good in ["default", "snake_case", "kebab-case", "UPPER_SNAKE"] {
            Label::new(good).unwrap_or_else(|e| panic!("{good}: {e}"));
        }
        for bad in ["b@dlabel", "camelCase", "", "a-_b"] {
            assert!(Label::new(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
