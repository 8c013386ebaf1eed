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
    "update_check",
    "update_install",
    "unsaved_work_set",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
