//! Thin commands, one file per domain: take state, call `oas-api`, map the error.

pub mod account;
pub mod address;
pub mod auth;
#[cfg(feature = "demo")]
pub mod bench;
pub mod connection;
pub mod drafts;
pub mod export;
pub mod import;
pub mod organisations;
pub mod servers;
pub mod updates;
