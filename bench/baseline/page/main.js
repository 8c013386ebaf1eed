// Signals "ready" as OAS Desktop's UI does: two animation frames after the first screen, so it
// has been painted, then the `app_ready` command, with the page's start-up phases (Unix time in
// ms; the same as OAS Desktop's ui/src/lib/startup.ts: this page has no IPC before its screen).
const evaluated = performance.timeOrigin + performance.now();
requestAnimationFrame(() => {
  const frameBegun = performance.timeOrigin + performance.now();
  requestAnimationFrame(() => {
    const origin = performance.timeOrigin;
    const nav = performance.getEntriesByType("navigation")[0];
    const marks = { js_evaluated: evaluated, frame_begun: frameBegun, painted: origin + performance.now() };
    if (nav) marks.html_parsed = origin + nav.domInteractive;
    window.__TAURI_INTERNALS__.invoke("app_ready", { marks });
  });
});
