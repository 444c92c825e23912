//! The key layout, in one place. Keys are `<kind>/<id>`; ids are validated
//! by the caller before they get here, so they never contain `/`.

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
