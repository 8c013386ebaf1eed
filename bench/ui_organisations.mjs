// Issue 5's UI figures on a 10,000-organisation account, driving the real app through
// tauri-driver: time from "Organizations" to the rows painted (the UI's own performance marks),
// and the main-thread time one search keystroke costs to filter 10,000 rows and lay them out.
// Prints one JSON line. Runs inside scripts/e2e.sh's environment (display, D-Bus, keychain):
//   OAS_DESKTOP_BIN=... OAS_SANDBOX_BIN=... E2E_COMMAND="node bench/ui_organisations.mjs" scripts/e2e.sh
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startSandbox, startDriver, launchApp, button, stopAll, signInToSandbox, field, sandboxBinary } from '../e2e/harness.mjs';

const COUNT = Number(process.env.BENCH_ORGS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const sandbox = await startSandbox();
  execFileSync(sandboxBinary, ['seed-orgs', '--db', join(sandbox.dir, 'oas.db'), '--username', sandbox.demo.username, '--count', String(COUNT)]);
  await startDriver();
  let app = await launchApp();
  await signInToSandbox(app, sandbox);

  // Each round is a fresh start (the session comes back from the keychain): the list is
  // fetched, not served from the screen's cache.
  const toRows = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) {
      await app.deleteSession();
      app = await launchApp();
    }
    await (await button(app, 'Organizations')).click();
    await app.waitUntil(() => app.execute(() => performance.getEntriesByName('oas:organisations-painted').length > 0), {
      timeout: 120_000,
    });
    toRows.push(
      await app.execute(() => {
        const [open] = performance.getEntriesByName('oas:organisations-open');
        const [painted] = performance.getEntriesByName('oas:organisations-painted');
        return painted.startTime - open.startTime;
      }),
    );
  }

  const search = await field(app, 'Search organizations');
  const queries = ['n', 'no', 'nor', 'nort', 'north', 'usd', 'e', 'ab', 'x', ''];
  const filter = [];
  const keystroke = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const query of queries) {
      const [script, total] = await app.executeAsync((input, q, done) => {
        const t0 = performance.now();
        input.value = q;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        // Svelte applies the change in a microtask; then force style and layout, as a frame would.
        queueMicrotask(() =>
          Promise.resolve().then(() => {
            const t1 = performance.now();
            void document.body.offsetHeight;
            done([t1 - t0, performance.now() - t0]);
          }),
        );
      }, search, query);
      filter.push(script);
      keystroke.push(total);
    }
  }
  console.log(JSON.stringify({
    organisations: COUNT + 8,
    ui_time_to_rows_ms: median(toRows),
    ui_time_to_rows_runs_ms: toRows,
    search_filter_script_ms_median: median(filter),
    search_keystroke_ms_median: median(keystroke),
    search_keystroke_ms_max: Math.max(...keystroke),
  }));
  await app.deleteSession();
} finally {
  stopAll();
}
