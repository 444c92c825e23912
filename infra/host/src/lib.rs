//! `mdm-host`: runs a Spin application (`spin.toml` + wasm components) the
//! way `spin up` does, on wasmtime, with Spin's key-value (SQLite or Redis)
//! and variables, and serves it over HTTP.
//!
//! Three lifetimes, kept apart: the engine and linker (once), each component
//! compiled and pre-instantiated (once, at start-up), and a fresh store and
//! instance per request.

pub mod address_import;
pub mod app;
mod bindings;
pub mod blocking_store;
pub mod build_cmd;
pub mod componentize;
pub mod engine;
pub mod gateway;
pub mod kv;
mod logs;
pub mod metrics;
pub mod outbound;
pub mod problem;
pub mod runtime_config;
pub mod seed;
pub mod server;
pub mod state;
pub mod variables;

pub use app::{LoadOptions, load};
pub use engine::Limits;
pub use server::{Runtime, serve};
