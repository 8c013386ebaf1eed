mod link_order;

// Every command the UI may call is declared here; capabilities/main.json grants them to the main
// window. Anything not named here cannot be invoked (deny by default).
const COMMANDS: &[&str] = &[
    "session_start",
    "session_restore",
    "sign_in",
    "sign_out",
    "server_address_check",
    "forget_server",
    "open_access_request",
    "organisations_list",
    "organisation_create",
    "organisation_update",
    "organisation_make_active",
    "organisation_get",
    "draft_load",
    "draft_save",
    "draft_discard",
    "export_csv",
    "account_profile",
    "account_update",
    "password_strength",
    "password_change",
    "api_key_replace",
    "theme_get",
    "theme_set",
    "app_info",
    "diagnostics",
    "open_link",
    "update_check",
    "update_install",
    "unsaved_work_set",
    "servers_list",
    "server_add",
    "server_update",
    "server_remove",
    "server_select",
    "connection_retry",
    "import_open",
    "import_preview",
    "import_run",
    "import_cancel",
    "import_report_save",
];

// The demo's and benchmark's doors exist only with the `demo` feature, granted by
// capabilities/demo/demo.json, which only that build reads: a build without it has neither the
// commands nor their permissions. (Granted at build time, not by `add_capability` at start: that
// would link Tauri's runtime capability parser, ~0.4 MiB, into the builds the benchmarks measure.)
const DEMO_COMMANDS: &[&str] = &["app_ready"];

fn main() {
    // The About view's build date: SOURCE_DATE_EPOCH for reproducible builds, else now.
    let built_at = std::env::var("SOURCE_DATE_EPOCH").ok().or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs().to_string())
    });
    if let Some(built_at) = built_at {
        println!("cargo:rustc-env=OAS_DESKTOP_BUILT_AT={built_at}");
    }
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    link_order();
    let mut commands = COMMANDS.to_vec();
    let demo = std::env::var_os("CARGO_FEATURE_DEMO").is_some();
    if demo {
        commands.extend(DEMO_COMMANDS);
    }
    println!("cargo:rerun-if-changed=capabilities");
    // The manifest wants a 'static list; the build script runs once, so leaking it is free.
    let commands: &'static [&'static str] = Vec::leak(commands);
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern(if demo { "./capabilities/**/*.json" } else { "./capabilities/*.json" })
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("failed to run tauri-build");
}

/// Linux x86_64 release builds lay out their start-up functions side by side (`link_order.rs`).
fn link_order() {
    println!("cargo:rerun-if-env-changed=OAS_DESKTOP_LINK_ORDER");
    let file = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join("src-tauri/link-order.txt");
    println!("cargo:rerun-if-changed={}", file.display());
    if link_order::wanted(|name| std::env::var(name).unwrap_or_default()) && file.exists() {
        for arg in link_order::link_args(&file) {
            println!("cargo:rustc-link-arg-bin=oas-desktop={arg}");
        }
    }
}
