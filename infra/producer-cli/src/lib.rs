//! `mdm-producer`: a thin command-line client for masterdata producers of
//! MDM on Spin.
//!
//! It speaks the producer API (`/api/v1/producer/units`), reads units
//! (`/api/v1/units/{hsa-id}`) and the change feed (`/api/v1/changes`). It
//! adds only what a person or a script at a terminal would otherwise have to
//! do by hand:
//!
//! - `update`, `patch` and `retire` without `--if-match` read the unit first
//!   and send its current `ETag`, so "update from a JSON file" is one step;
//! - every write carries a fresh `Idempotency-Key` and is retried once, with
//!   the same key, on a lost connection or a 5xx: the server then either runs
//!   it (the first attempt never took effect) or replays the first result;
//! - problem answers (RFC 9457) become one readable line on stderr, plus the
//!   suggestions and a hint where there is an obvious next step;
//! - exit codes tell a script whether to retry: 0 done, 1 the request (or
//!   the command line) is wrong and retrying will not help, 2 the server or
//!   the network failed and a later retry may succeed.
//!
//! The library is the binary's implementation, split out so that argument
//! parsing and error formatting can be unit-tested.

pub mod changes;
pub mod cli;
pub mod client;
pub mod commands;
pub mod failure;
pub mod key;

pub use cli::Cli;
pub use commands::run;
pub use failure::Failure;
