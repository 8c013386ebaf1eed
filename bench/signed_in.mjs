// Issue 12's signed-in figures, run by bench/measure.py inside its display and D-Bus session:
// 1. a sandbox with 10,000 organisations (kept running until this script's stdin closes);
// 2. one sign-in through the real app (tauri-driver) in the profile BENCH_SIGNED_IN_HOME, so the
//    session is in the keychain and measure.py can time relaunches that restore it;
// 3. memory with the organisations listed: the app relaunched (the session restored), the list
//    opened and painted, then, 10 s later, the PSS of the app's process tree.
// Prints one JSON line, then waits for stdin to close before stopping the sandbox.
//   OAS_DESKTOP_BIN=... OAS_SANDBOX_BIN=... BENCH_SIGNED_IN_HOME=DIR TAURI_DRIVER_PORT=... node bench/signed_in.mjs
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { appBinary, button, launchApp, sandboxBinary, signInToSandbox, sleep, startDriverWith, startSandbox, stopAll } from '../e2e/harness.mjs';

const COUNT = Number(process.env.BENCH_ORGS ?? 10_000);
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 10);
const home = process.env.BENCH_SIGNED_IN_HOME;
if (!home) throw new Error('BENCH_SIGNED_IN_HOME is not set');

/** Every process under `pid`, itself included. */
function tree(pid) {
  const kids = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop();
    out.push(p);
    todo.push(...(kids.get(p) ?? []));
  }
  return out;
}

const exeOf = (pid) => {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`));
  } catch {
    return '?';
  }
};

function pssKib(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').split('\n').find((l) => l.startsWith('Pss:'));
    return line ? Number(line.split(/\s+/)[1]) : 0;
  } catch {
    return 0;
  }
}

/** PSS of the app's process tree (the app and its WebKit processes), found under tauri-driver. */
function appPss(driverPid) {
  const app = tree(driverPid).find((p) => exeOf(p) === basename(appBinary));
  if (!app) throw new Error('the app process was not found under tauri-driver');
  const byProcess = {};
  let total = 0;
  for (const p of tree(app)) {
    const k = pssKib(p);
    total += k;
    const name = p === app ? 'main process' : exeOf(p);
    byProcess[name] = (byProcess[name] ?? 0) + k;
  }
  return { total, byProcess };
}

let sandbox;
try {
  sandbox = await startSandbox();
  execFileSync(sandboxBinary, ['seed-orgs', '--db', join(sandbox.dir, 'oas.db'), '--username', sandbox.demo.username, '--count', String(COUNT)]);
  const driver = await startDriverWith({}, home);
  let app = await launchApp();
  await signInToSandbox(app, sandbox);
  await app.deleteSession();

  // Relaunched: the session comes back from the keychain; then the whole list.
  app = await launchApp();
  await (await button(app, 'Organizations', { timeout: 60_000 })).click();
  await app.waitUntil(() => app.execute(() => performance.getEntriesByName('oas:organisations-painted').length > 0), {
    timeout: 120_000,
    timeoutMsg: 'the organisations were never painted',
  });
  await sleep(SETTLE_S * 1000);
  const pss = appPss(driver.child.pid);
  await app.deleteSession();
  await driver.stop();
  console.log(JSON.stringify({ signed_in: true, organisations: COUNT + 8, pss_listed_kib: pss.total, pss_listed_by_process_kib: pss.byProcess }));
} catch (error) {
  console.log(JSON.stringify({ signed_in: false, error: String(error?.message ?? error).slice(0, 500) }));
  stopAll();
  process.exit(1);
}

// measure.py times relaunches against this sandbox; it closes stdin when done.
process.stdin.resume();
process.stdin.on('end', () => {
  stopAll();
  process.exit(0);
});
