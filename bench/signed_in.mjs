// Issue 12's signed-in figures, driving the real app inside scripts/e2e.sh's environment (display,
// D-Bus, unlocked keychain), as bench/ui_organisations.mjs does:
// 1. a sandbox with 10,000 organisations; one sign-in through the app (tauri-driver) in a profile
//    of its own, so the session is in the keychain;
// 2. memory with the organisations listed: the app relaunched (the session restored), the list
//    opened and painted, then, 10 s later, the PSS of the app's process tree;
// 3. start-up with a stored session: the app spawned directly (no driver) BENCH_ROUNDS times in
//    that profile, spawn → the first signed-in screen painted (the ready line, as bench/measure.py
//    reads it), the session restored from the keychain each time.
// Prints one JSON line.
//   OAS_DESKTOP_BIN=... OAS_SANDBOX_BIN=... E2E_COMMAND="node bench/signed_in.mjs" scripts/e2e.sh
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { appBinary, button, launchApp, sandboxBinary, signInToSandbox, sleep, startDriverWith, startSandbox, stopAll } from '../e2e/harness.mjs';

const COUNT = Number(process.env.BENCH_ORGS ?? 10_000);
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const home = mkdtempSync(join(tmpdir(), 'oas-bench-signed-in-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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

function appRunning() {
  try {
    execFileSync('pgrep', ['-f', '--', appBinary], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** One start of the app in the signed-in profile: ms from the spawn to the ready line. */
async function timedStart(env) {
  // Single instance: a start while the previous app is still closing would only hand over to it.
  for (let i = 0; i < 300 && appRunning(); i++) await sleep(100);
  const ready = join(home, `ready-${process.hrtime.bigint()}.txt`);
  const t0 = Date.now();
  const child = spawn(appBinary, [], { env: { ...env, OAS_DESKTOP_READY_FILE: ready }, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', r));
  let ms = null;
  for (let i = 0; i < 30_000 && child.exitCode === null; i += 2) {
    const text = existsSync(ready) ? readFileSync(ready, 'utf8') : '';
    if (text.endsWith('\n')) {
      ms = Number(BigInt(text.trim()) / 1000n) / 1000 - t0;
      break;
    }
    await sleep(2);
  }
  await sleep(1000);
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
  await sleep(500);
  if (ms === null) throw new Error(`a signed-in start never said it was ready (exit ${child.exitCode ?? child.signalCode})`);
  return ms;
}

try {
  const sandbox = await startSandbox();
  execFileSync(sandboxBinary, ['seed-orgs', '--db', join(sandbox.dir, 'oas.db'), '--username', sandbox.demo.username, '--count', String(COUNT), '--shuffle-names']);
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
  await sleep(2000);

  // Started as a person starts it, in the same profile: the session restored each time.
  const startups = [];
  for (let round = 0; round < ROUNDS; round++) startups.push(await timedStart(driver.env));
  console.log(JSON.stringify({
    organisations: COUNT + 8,
    pss_listed_kib: pss.total,
    pss_listed_by_process_kib: pss.byProcess,
    startup_signed_in_ms: median(startups),
    startup_signed_in_runs_ms: startups,
  }));
} finally {
  stopAll();
  rmSync(home, { recursive: true, force: true });
}
