//! `Idempotency-Key` values.
//!
//! The server keys its replay records by caller and key, so a key only has
//! to be unique among one producer's writes. Time, process id and a counter
//! make keys unique on one machine; 64 bits from the standard library's
//! per-process random hash seed keep two machines (or two containers whose
//! process is always pid 1) apart when they write in the same nanosecond.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Keys made by this process so far: two keys in the same clock tick differ.
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A new key, e.g. `18414d3c2a6b1f00-00003039-00000000-5f0e9c1d2b3a4e6f`:
/// 51 visible ASCII characters (the server accepts 1 to 128).
pub fn new_key() -> String {
    // A clock before 1970 is broken, not fatal: the other parts still
    // differ between keys.
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos() as u64)
        .unwrap_or(0);
    let pid = std::process::id();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let noise = RandomState::new().hash_one((nanos, pid, count));
    format!("{nanos:016x}-{pid:08x}-{count:08x}-{noise:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_and_are_valid_header_values() {
        let first = new_key();
        let second = new_key();
        assert_ne!(first, second);
        for key in [&first, &second] {
            assert_eq!(key.len(), 51, "{key}");
            assert!(key.bytes().all(|b| b.is_ascii_graphic()), "{key}");
        }
        // The process id is part of the key: keys of two processes started
        // in the same nanosecond differ in it.
        let pid = format!("-{:08x}-", std::process::id());
        assert!(first.contains(&pid), "{first} lacks {pid}");
    }
}
