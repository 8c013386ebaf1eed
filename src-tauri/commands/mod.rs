//! Thin commands, one file per domain: take state, call `oas-api`, map the error.

pub mod auth;
pub mod bench;
pub mod drafts;
pub mod export;
pub mod organisations;
pub mod updates;
