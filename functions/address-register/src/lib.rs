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
//! [`KvOps`] (`mdm-store-ops`), which the components implement over Spin's
//! key-value API and the host's import command over its own stores. So the
//! same code runs in the components and natively, and its tests use
//! [`MemoryStore`].

pub mod import;
pub mod index;
pub mod line_format;
pub mod rule;
pub mod validate;

pub use mdm_types::AddressPlace;

pub use mdm_store_ops::{KvOps, MemoryStore, StoreError};

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
