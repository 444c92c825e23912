//! Data-contract types generated from wit/ with serde.
//!
//! `build.rs` reads `wit/types.wit` (package `region-stockholm:mdm`, interface
//! `types`) and generates, for every WIT item:
//!
//! - `record` → a struct with `#[serde(deny_unknown_fields)]`; JSON field
//!   names are the snake-case field names, `option` fields may be absent and
//!   are not serialized when `None`, `list` fields may be absent (empty);
//! - `enum` → a `Copy` enum whose JSON values are the WIT case names
//!   (`care-unit`), with `ALL`, `as_str`, [`Display`](std::fmt::Display) and
//!   [`FromStr`](std::str::FromStr);
//! - `type x = y` → a type alias.
//!
//! [`CATALOGUE_JSON`] describes the same records, enums and aliases in words,
//! with their documentation, for the API description.

use std::fmt;

include!(concat!(env!("OUT_DIR"), "/types.rs"));

/// The data catalogue generated from the WIT, as pretty-printed JSON:
/// `{"package", "records": [{"name", "doc", "fields": [{"name", "wit_name",
/// "type", "required", "doc"}]}], "enums": [{"name", "doc", "values":
/// [{"value", "doc"}]}], "aliases": [{"name", "type", "doc"}]}`, in WIT order.
/// Field `name`s are the JSON names; a missing doc is `null`.
pub const CATALOGUE_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/catalogue.json"));

/// [`CATALOGUE_JSON`], parsed.
///
/// # Panics
///
/// Never: the build script wrote the catalogue with `serde_json`.
#[must_use]
pub fn catalogue() -> serde_json::Value {
    serde_json::from_str(CATALOGUE_JSON).expect("the generated catalogue is valid JSON")
}

/// The error of a generated enum's [`FromStr`](std::str::FromStr): the string
/// is none of the enum's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEnumValue {
    /// The WIT name of the enum, e.g. `unit-kind`.
    pub enum_name: &'static str,
    /// The rejected string.
    pub value: String,
    /// The enum's values, in WIT order.
    pub expected: &'static [&'static str],
}

impl UnknownEnumValue {
    /// Used by the generated code.
    #[must_use]
    pub fn new(enum_name: &'static str, value: &str, expected: &'static [&'static str]) -> Self {
        Self {
            enum_name,
            value: value.to_owned(),
            expected,
        }
    }
}

impl fmt::Display for UnknownEnumValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} `{}`, expected one of: {}",
            self.enum_name,
            self.value,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for UnknownEnumValue {}

#[cfg(test)]
#[path = "codegen.rs"]
mod codegen;

#[cfg(test)]
mod tests;
