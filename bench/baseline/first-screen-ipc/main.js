// The start-up floor with one IPC: OAS Desktop's first screen, as painted, shown once the page has
// one answer from Rust, as the app's page shows its first screen once it has the session's. The
// screen's markup is in the page, inert (<template id="first-screen">), so building it is one
// clone: nothing of a UI framework. Then the ready signal, as the baseline's page/main.js gives it,
// with the app's start-up phases (Unix time in ms; ui/src/lib/startup.ts).
const now = () => performance.timeOrigin + performance.now();
const evaluated = now();
window.__TAURI_INTERNALS__.invoke("first_screen_data").then(() => {
  const answered = now();
  const screen = document.getElementById("first-screen");
  document.getElementById("app").replaceChildren(document.importNode(screen.content, true));
  const built = now();
  requestAnimationFrame(() => {
    const frameBegun = now();
    requestAnimationFrame(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const marks = {
        js_evaluated: evaluated,
        first_ipc_answered: answered,
        screen_built: built,
        frame_begun: frameBegun,
        painted: now(),
      };
      if (nav) marks.html_parsed = performance.timeOrigin + nav.domInteractive;
      window.__TAURI_INTERNALS__.invoke("app_ready", { marks });
    });
  });
});
