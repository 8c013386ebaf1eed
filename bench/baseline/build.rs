// The baseline's only command, granted to its window by capabilities/main.json; the rows floor's
// two (`--features rows`) only by capabilities/rows.json, which only its build enables.
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&["app_ready", "rows_sign_in", "rows_list"])),
    )
    .expect("failed to run tauri-build");
}
