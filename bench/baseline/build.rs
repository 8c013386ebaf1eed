// The baseline's only command, granted to its window by capabilities/main.json.
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&["app_ready"])),
    )
    .expect("failed to run tauri-build");
}
