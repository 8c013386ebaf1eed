// Every command the UI may call is declared here; capabilities/main.json grants them to the main
// window. Anything not named here cannot be invoked (deny by default).
const COMMANDS: &[&str] = &[
    "app_ready",
    "session_restore",
    "sign_in",
    "sign_out",
    "demo_prefill",
    "open_access_request",
    "organisations_list",
    "organisation_create",
    "organisation_update",
    "organisation_make_active",
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
];

fn main() {
    // The About view's build date: SOURCE_DATE_EPOCH for reproducible builds, else now.
    let built_at = std::env::var("SOURCE_DATE_EPOCH").ok().or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs().to_string())
    });
    if let Some(built_at) = built_at {
        println!("cargo:rustc-env=OAS_DESKTOP_BUILT_AT={built_at}");
    }
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
