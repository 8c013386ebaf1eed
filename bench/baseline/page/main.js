// Signals "ready" as OAS Desktop's UI does: two animation frames after the first screen, so it
// has been painted, then the `app_ready` command.
requestAnimationFrame(() => {
  requestAnimationFrame(() => {
    window.__TAURI_INTERNALS__.invoke("app_ready");
  });
});
