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
