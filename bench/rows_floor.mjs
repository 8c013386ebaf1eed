// The floor under the time to rows (issue 12): the baseline built with `--features rows`
// (bench/baseline/src/rows.rs, its page in bench/baseline/rows-page/) on the same account as
// ui_organisations.mjs, timed the same way: each round a fresh launch, signed in (outside the
// figure), then "Organizations" → every row in the page, sorted by name, the first of them painted.
// It lists with the app's own client and shows a plain table, so the figure is what listing,
// sending and sorting all the rows costs on this machine with no screen around them. Prints one
// JSON line. Runs inside scripts/e2e.sh's environment (display, D-Bus, keychain):
//   OAS_DESKTOP_BIN=<the floor> OAS_SANDBOX_BIN=... E2E_COMMAND="node bench/rows_floor.mjs" scripts/e2e.sh
import { execFileSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { cpuByName, cpuByThread, cpuOfMachine } from './cpu.mjs';
import { appBinary, startSandbox, startDriver, launchApp, stopAll, sandboxBinary, sleep } from '../e2e/harness.mjs';

const COUNT = Number(process.env.BENCH_ORGS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// The kernel's names for the sandbox, the floor's process (its file's name, cut to 15
// characters) and its web process.
const FLOOR = basename(appBinary).slice(0, 15);
const PROCESSES = ['oas-sandbox', FLOOR, 'WebKitWebProces'];

try {
  const sandbox = await startSandbox();
  execFileSync(sandboxBinary, ['seed-orgs', '--db', join(sandbox.dir, 'oas.db'), '--username', sandbox.demo.username, '--count', String(COUNT), '--shuffle-names']);
  await startDriver();
  const toRows = [];
  const received = [];
  const sorted = [];
  const threads = {};
  const loadCpu = { wall: 0, machine: 0, ...Object.fromEntries(PROCESSES.map((n) => [n, 0])) };
  let app = null;
  for (let round = 0; round < ROUNDS; round++) {
    if (app) await app.deleteSession();
    app = await launchApp();
    await app.setTimeout({ script: 120_000 });
    const failed = await app.executeAsync((demo, server, done) => {
      window.__TAURI_INTERNALS__
        .invoke('rows_sign_in', { server, apiKey: demo.apiKey, username: demo.username, email: demo.email, password: demo.password })
        .then(() => done(null), (e) => done(String(e)));
    }, sandbox.demo, sandbox.url);
    if (failed) throw new Error(`rows_sign_in: ${failed}`);
    const open = await app.$('#open');
    await sleep(1000); // as for the app: the start-up's work is over
    const [procs0, machine0, wall0, threads0] = [cpuByName(PROCESSES), cpuOfMachine(), Date.now(), cpuByThread(FLOOR)];
    await open.click();
    await app.executeAsync((done) => {
      const check = () => (performance.getEntriesByName('oas:organisations-painted').length > 0 ? done() : setTimeout(check, 5));
      check();
    });
    const [procs1, machine1, wall1, threads1] = [cpuByName(PROCESSES), cpuOfMachine(), Date.now(), cpuByThread(FLOOR)];
    for (const [t, ms] of Object.entries(threads1)) threads[t] = (threads[t] ?? 0) + ms - (threads0[t] ?? 0);
    loadCpu.wall += wall1 - wall0;
    loadCpu.machine += machine1.busy - machine0.busy;
    for (const n of PROCESSES) loadCpu[n] += procs1[n] - procs0[n];
    const [marks, listed] = await app.execute(() => {
      const at = (name) => performance.getEntriesByName(name)[0].startTime;
      const open = at('oas:organisations-open');
      return [['oas:rows-received', 'oas:rows-sorted', 'oas:organisations-painted'].map((name) => at(name) - open), Number(document.documentElement.dataset.organisations)];
    });
    if (listed !== COUNT + 8) throw new Error(`the floor listed ${listed} organisations, not ${COUNT + 8}`);
    received.push(marks[0]);
    sorted.push(marks[1]);
    toRows.push(marks[2]);
  }
  await app.deleteSession();
  console.log(JSON.stringify({
    organisations: COUNT + 8,
    rounds: ROUNDS,
    rows_floor_ms: median(toRows),
    rows_floor_runs_ms: toRows,
    rows_floor_received_ms: median(received),
    rows_floor_sorted_ms: median(sorted),
    load_cpu_ms: loadCpu,
    load_cpu_threads_ms: threads,
  }));
} finally {
  stopAll();
}
