//! Our copy of Lantmäteriet's address register (belägenhetsadresser) in the
//! key-value store, and everything that reads or writes it:
//!
//! - [`line_format`]: the import line format (NDJSON and CSV with
//!   Lantmäteriet's field names) parsed into [`AddressPlace`]s;
//! - [`index`]: the documents that make a lookup one round trip;
//! - [`import`]: applying a batch of places, idempotently, every write a
//!   compare-and-swap;
//! - [`validate`](mod@validate): the answer to "is this address in the register?", with
//!   suggestions;
//! - [`rule`]: the write-time rule every unit's visiting address passes.
//!
//! The crate does no I/O of its own: it talks to the store through
//! [`RegisterStore`], which the address-validation and producer-updates
//! components implement over Spin's key-value API and the host's import
//! command over its own stores. So the same code runs in the components and
//! natively, and its tests use [`MemoryStore`].

pub mod import;
pub mod index;
pub mod line_format;
pub mod rule;
pub mod validate;

use std::collections::BTreeMap;

pub use mdm_types::AddressPlace;

/// A store failure, as the store reported it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// The key-value operations the register needs. Every write is a
/// compare-and-swap, so concurrent importers never lose each other's
/// changes; deletes are only used for places the register withdrew.
pub trait RegisterStore {
    /// Values of `keys` in one round trip, in the same order.
    fn get_many(&mut self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError>;
    /// Writes `new` only if the current value is `expected` (`None`: absent);
    /// `Ok(false)` when it was not.
    fn compare_and_swap(
        &mut self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, StoreError>;
    fn delete(&mut self, key: &str) -> Result<(), StoreError>;
}

/// An in-memory [`RegisterStore`]: for tests and for tools that build a
/// register before writing it out.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    pub entries: BTreeMap<String, Vec<u8>>,
    /// Round trips made: `get_many` calls, swaps and deletes.
    pub round_trips: usize,
}

impl RegisterStore for MemoryStore {
    fn get_many(&mut self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        self.round_trips += 1;
        Ok(keys.iter().map(|k| self.entries.get(k).cloned()).collect())
    }

    fn compare_and_swap(
        &mut self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, StoreError> {
        self.round_trips += 1;
        if self.entries.get(key).map(Vec::as_slice) != expected {
            return Ok(false);
        }
        self.entries.insert(key.to_string(), new.to_vec());
        Ok(true)
    }

    fn delete(&mut self, key: &str) -> Result<(), StoreError> {
        self.round_trips += 1;
        self.entries.remove(key);
        Ok(())
    }
}

/// The five digits of a postal code written `NNN NN`, as used in keys.
pub(crate) fn postal_digits(postal_code: &str) -> String {
    postal_code.chars().filter(char::is_ascii_digit).collect()
}

/// An address as people read it: `Sveavägen 44 B, 111 34 Stockholm`.
pub fn display(address: &mdm_types::Address) -> String {
    let mut text = address.street.clone();
    if let Some(number) = &address.number {
        text.push(' ');
        text.push_str(number);
    }
    if let Some(letter) = &address.letter {
        text.push(' ');
        text.push_str(letter);
    }
    text.push_str(", ");
    text.push_str(&address.postal_code);
    text.push(' ');
    text.push_str(&address.post_town);
    text
}
