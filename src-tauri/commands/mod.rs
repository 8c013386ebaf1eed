//! Thin commands, one file per domain: take state, call `oas-api`, map the error.

pub mod auth;
