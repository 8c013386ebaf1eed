// The installed .deb as a person meets it: started from its desktop entry's Exec, signed in to the
// sandbox, offered an update from a local feed. A feed whose signature is not ours is refused and
// the installed version keeps working; a signed one installs, the app restarts as the new version,
// and the person is still signed in. Run by scripts/test-installers.sh, which builds both versions,
// installs version N with apt and passes what it built in the variables below.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startSandbox, startDriver, launchApp, press, waitForText, stopAll, signInToSandbox, sleep, screenshot } from '../harness.mjs';

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/test-installers.sh`);
  return value;
}

const app = env('OAS_DESKTOP_BIN'); // the installed binary, found from the desktop entry's Exec
const pkg = env('OAS_PACKAGE');
const current = env('OAS_INSTALLED_VERSION');
const next = env('OAS_UPDATE_VERSION');
const feedPort = Number(env('OAS_FEED_PORT'));
const update = readFileSync(env('OAS_UPDATE_DEB'));
const goodSignature = readFileSync(env('OAS_UPDATE_SIG'), 'utf8').trim();
const foreignSignature = readFileSync(env('OAS_UPDATE_FOREIGN_SIG'), 'utf8').trim();
const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch] ?? process.arch;

let sandbox;
let feed;
let signature = foreignSignature;

before(async () => {
  sandbox = await startSandbox();
  await startDriver();
  // The local feed, in the format the release workflow publishes (latest.json).
  feed = createServer((req, res) => {
    if (req.url === '/latest.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        version: next,
        notes: `Test release ${next}: what is new appears here.`,
        pub_date: new Date().toISOString(),
        platforms: { [`linux-${arch}-deb`]: { signature, url: `http://127.0.0.1:${feedPort}/update.deb` } },
      }));
    } else if (req.url === '/update.deb') {
      res.writeHead(200, { 'content-type': 'application/vnd.debian.binary-package', 'content-length': update.length });
      res.end(update);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => feed.listen(feedPort, '127.0.0.1', resolve));
});

after(() => {
  stopAll();
  feed?.close();
});

function installedVersion() {
  return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
}

/** Processes running the installed binary (one replaced by dpkg reads "… (deleted)"). */
function running() {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/exe`) === app;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(what, check, ms = 180_000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(250)) if (check()) return;
  throw new Error(`timed out waiting until ${what}`);
}

let session;

test('the installed app signs in, and refuses an update whose signature is not ours', async () => {
  assert.equal(installedVersion(), current);
  session = await launchApp();
  await signInToSandbox(session, sandbox);
  // Checked at start: the prompt says what is new, and nothing happens until the person agrees.
  await waitForText(session, `OAS Desktop ${next} is available`);
  await waitForText(session, `Test release ${next}`);
  console.log(`the prompt, as shown: ${screenshot('installed-update-prompt')}`);
  assert.equal(installedVersion(), current);

  await press(session, 'Install and restart');
  await waitForText(session, 'The update was refused: its signature is not valid', 120_000);
  assert.equal(installedVersion(), current);
  // Still working: the session and the screens respond.
  await press(session, 'Organizations');
  await press(session, 'Home');
  await waitForText(session, `Hello, ${sandbox.demo.username}`);
});

test('a signed update installs, restarts as the new version, and the person stays signed in', async () => {
  signature = goodSignature;
  await press(session, 'Check for updates');
  await waitForText(session, `OAS Desktop ${next} is available`);
  const before = running();
  assert.equal(before.length, 1, `one app process expected, found ${before}`);
  await press(session, 'Install and restart');

  await until(`dpkg says ${pkg} ${next} is installed`, () => installedVersion() === next);
  await until('the app restarted from the new binary', () => running().some((pid) => !before.includes(pid)));
  const restarted = running().filter((pid) => !before.includes(pid));
  await session.deleteSession().catch(() => {}); // its process has exited: it restarted
  // The restarted app is not under WebDriver: close it and open the installed app again.
  for (const pid of restarted) process.kill(pid, 'SIGTERM');
  await until('the restarted app closed', () => running().length === 0, 30_000);

  session = await launchApp();
  await waitForText(session, `Hello, ${sandbox.demo.username}`);
  await press(session, 'Check for updates');
  await waitForText(session, `OAS Desktop ${next} is up to date.`);
  await session.deleteSession();
});
