//! The key layout of the platform's key-value store, in one place for the
//! host (which writes usage counters) and the functions (which write and read
//! documents). Keys are `<kind>/<id>[/<more>]`; ids are validated by the
//! caller before they get here, so they never contain `/`.

mod day;

pub use day::{Day, DayError};

/// A unit's current document.
pub fn unit(hsa_id: &str) -> String {
    format!("unit/{hsa_id}")
}

/// An address place of Lantmäteriet's register, by `objektidentitet`.
pub fn address_place(register_id: &str) -> String {
    format!("address-place/{register_id}")
}

/// Version `version` of a unit, kept for ever (history). Zero-padded so the
/// versions of a unit sort in order.
pub fn unit_version(hsa_id: &str, version: u64) -> String {
    format!("unit-version/{hsa_id}/{version:010}")
}

/// One shard of the unit index for `facet` = `value` (a sorted JSON array of
/// HSA-ids): e.g. `unit-index/municipality/0180/07`.
pub fn unit_index(facet: &str, value: &str, shard: u8) -> String {
    format!("unit-index/{facet}/{}/{shard:02}", segment(value))
}

/// The `change_seq` of the last version of a unit whose index edits were
/// all made: a write that finds it behind redoes every membership.
pub fn unit_indexed(hsa_id: &str) -> String {
    format!("unit-indexed/{hsa_id}")
}

/// The counter the change feed's sequence numbers are drawn from (atomic
/// increment; ASCII decimal).
pub const CHANGE_COUNTER: &str = "change-counter";

/// Change-feed entry `seq`.
pub fn change(seq: u64) -> String {
    format!("change/{seq:012}")
}

/// The recorded outcome of a write sent with `Idempotency-Key: key` by
/// `subject` (both free text, so escaped).
pub fn idempotency(subject: &str, key: &str) -> String {
    format!("idempotency/{}/{}", segment(subject), segment(key))
}

/// The address places of one street in one postal code (the register's
/// exact-lookup and "other numbers" index). `postal_digits` is the postal
/// code's five digits, `street_key` the normalised street name.
pub fn address_street(postal_digits: &str, street_key: &str) -> String {
    format!("address-street/{postal_digits}/{}", segment(street_key))
}

/// The streets of one postal code (suggestions of similar names, autocomplete).
pub fn address_postcode(postal_digits: &str) -> String {
    format!("address-postcode/{postal_digits}")
}

/// The postal codes a street name occurs in (neighbouring postal codes,
/// addresses given without a postal code).
pub fn address_street_name(street_key: &str) -> String {
    format!("address-street-name/{}", segment(street_key))
}

/// A free-text key segment: `%` and `/` are percent-encoded so a street name
/// can never add a level to the key.
fn segment(text: &str) -> String {
    if !text.contains(['%', '/']) {
        return text.to_string();
    }
    text.replace('%', "%25").replace('/', "%2F")
}

/// An order for an integration.
pub fn order(order_id: &str) -> String {
    format!("order/{order_id}")
}

/// The counter of requests integration `integration` made on `day` (UTC):
/// the metering behind the integration fee. ASCII decimal, incremented
/// atomically by the gateway.
pub fn usage(integration: &str, day: Day) -> String {
    format!("usage/{integration}/{day}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn street_names_cannot_add_key_levels() {
        assert_eq!(
            address_street("11134", "sveavägen"),
            "address-street/11134/sveavägen"
        );
        assert_eq!(
            address_street_name("a/b%c"),
            "address-street-name/a%2Fb%25c"
        );
        assert_ne!(address_street_name("a/b"), address_street_name("a%2Fb"));
    }
}
