// Starts the real pieces the end-to-end tests drive: the sandbox server, tauri-driver, and the
// app binary (through WebDriver sessions). Every run gets fresh data and config folders.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createConnection } from 'node:net';
import { remote } from 'webdriverio';

export const root = resolve(import.meta.dirname, '..');
const target = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
export const appBinary = process.env.OAS_DESKTOP_BIN ?? join(target, 'debug', 'oas-desktop');
export const sandboxBinary = process.env.OAS_SANDBOX_BIN ?? join(target, 'debug', 'oas-sandbox');
const driverPort = Number(process.env.TAURI_DRIVER_PORT ?? 4444);

const children = [];

function track(child) {
  children.push(child);
  return child;
}

export function stopAll() {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
}

/** Reads a child's stdout until a line matches, or fails after `ms`. */
function waitForLine(child, pattern, ms) {
  return new Promise((resolvePromise, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; saw:\n${seen}`)), ms);
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = seen.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before ${pattern}; saw:\n${seen}`));
    });
  });
}

/** A fresh sandbox on a random loopback port with the demo account. */
export async function startSandbox(extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'oas-e2e-sandbox-'));
  const credentials = join(dir, 'demo.json');
  const child = track(
    spawn(sandboxBinary, ['serve', '--addr', '127.0.0.1:0', '--db', join(dir, 'oas.db'), '--demo', '--credentials-out', credentials, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const [, url] = await waitForLine(child, /listening on (http:\/\/\S+)/, 30_000);
  for (let i = 0; i < 100 && !existsSync(credentials); i++) await sleep(50);
  const demo = JSON.parse(readFileSync(credentials, 'utf8'));
  return { url, demo, dir, child, stop: () => child.kill('SIGTERM') };
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function portOpen(port) {
  return new Promise((r) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      r(true);
    });
    socket.on('error', () => r(false));
  });
}

/** tauri-driver, with the app's data and config folders pointed at a fresh home. */
export async function startDriver() {
  const home = mkdtempSync(join(tmpdir(), 'oas-e2e-home-'));
  const env = {
    ...process.env,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    LANG: 'en_US.UTF-8',
    LANGUAGE: 'en',
  };
  const child = track(spawn('tauri-driver', ['--port', String(driverPort)], { stdio: ['ignore', 'inherit', 'inherit'], env }));
  for (let i = 0; i < 200; i++) {
    if (await portOpen(driverPort)) return { home, child };
    if (child.exitCode !== null) throw new Error(`tauri-driver exited with ${child.exitCode}`);
    await sleep(100);
  }
  throw new Error('tauri-driver did not start');
}

/** Launches the app binary and waits until its first screen is painted. */
export async function launchApp() {
  const browser = await remote({
    hostname: '127.0.0.1',
    port: driverPort,
    logLevel: 'warn',
    connectionRetryCount: 0,
    // Classic WebDriver: WebKitWebDriver does not speak BiDi.
    capabilities: { 'tauri:options': { application: appBinary }, 'wdio:enforceWebDriverClassic': true },
  });
  await browser.waitUntil(() => browser.execute(() => document.documentElement.dataset.ready === '1'), {
    timeout: 30_000,
    timeoutMsg: 'the app never said it was ready',
  });
  return browser;
}

/** The input a person would find by its visible label. */
export async function field(browser, label) {
  const id = await browser.execute((text) => {
    const labels = [...document.querySelectorAll('label')];
    const found = labels.find((l) => l.textContent.trim().replace(/\s*\*$/, '') === text);
    const control = found?.control;
    if (!control) return null;
    if (!control.id) control.id = `e2e-${Math.random().toString(36).slice(2)}`;
    return control.id;
  }, label);
  if (!id) throw new Error(`no field labelled "${label}"`);
  return browser.$(`#${id}`);
}

export async function fill(browser, label, value) {
  const input = await field(browser, label);
  await input.waitForDisplayed();
  await input.clearValue();
  if (value) await input.setValue(value);
}

export async function valueOf(browser, label) {
  return (await field(browser, label)).getValue();
}

export async function button(browser, name) {
  const el = await browser.$(`button=${name}`);
  await el.waitForClickable({ timeout: 15_000 });
  return el;
}

export async function waitForText(browser, text, timeout = 20_000) {
  await browser.waitUntil(() => browser.execute((t) => document.body.innerText.includes(t), text), {
    timeout,
    timeoutMsg: `"${text}" never appeared; the screen says:\n`,
  }).catch(async (error) => {
    const body = await browser.execute(() => document.body.innerText);
    error.message += body;
    throw error;
  });
}
