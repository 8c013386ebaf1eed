//! Typed, Tauri-free client of the OAS API.
