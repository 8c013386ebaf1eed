//! A local OAS-compatible server.
