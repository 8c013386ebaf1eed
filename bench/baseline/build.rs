// The baseline's only command, granted to its window by capabilities/main.json; the rows floor's
// two (`--features rows`) only by capabilities/rows.json, and the start-up floor with one IPC's
// (`--features first-screen-ipc`) only by capabilities/first-screen.json, which only their builds
// enable.
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&["app_ready", "rows_sign_in", "rows_list", "first_screen_data"])),
    )
    .expect("failed to run tauri-build");
}
