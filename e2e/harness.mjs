// Starts the real pieces the end-to-end tests drive: the sandbox server, tauri-driver, and the
// app binary (through WebDriver sessions). Every run gets fresh data and config folders.
import { spawn, execFileSync } from 'node:child_process';
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
// Its WebKitWebDriver listens next to it, so several runs on one machine do not collide.
const nativePort = Number(process.env.TAURI_DRIVER_NATIVE_PORT ?? driverPort + 1);

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
export function startDriver() {
  return startDriverWith();
}

/** Stops one tauri-driver (and so its app) and waits until its port is free for the next one. */
async function stopDriver(child) {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000)]);
  }
  for (let i = 0; i < 100 && (await portOpen(driverPort)); i++) await sleep(100);
}

/**
 * The app is single-instance: a launch while the previous test's app is still closing would just
 * hand over to it and exit. Wait until no process of this binary is left (pgrep exits 1).
 */
async function previousAppGone() {
  const running = () => {
    try {
      execFileSync('pgrep', ['-f', '--', appBinary], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 300 && running(); i++) await sleep(100);
  if (!running()) return;
  // tauri-driver sometimes leaves the app of a deleted session behind (seen with a private
  // D-Bus session): that app belongs to no test any more, so end it rather than hand over to it.
  console.log('# a previous app was still running 30 s after its session ended: ending it');
  execFileSync('pkill', ['-f', '--', appBinary], { stdio: 'ignore' });
  for (let i = 0; i < 100 && running(); i++) await sleep(100);
  if (running()) throw new Error('the previous app never exited');
}

/** Launches the app binary and waits until its first screen is painted. */
export async function launchApp() {
  await previousAppGone();
  const browser = await remote({
    hostname: '127.0.0.1',
    port: driverPort,
    logLevel: 'warn',
    connectionRetryCount: 0,
    // Classic WebDriver: WebKitWebDriver does not speak BiDi.
    capabilities: { 'tauri:options': { application: appBinary }, 'wdio:enforceWebDriverClassic': true },
  });
  // WebKitWebDriver clicks an element only partly in view (its lower edge under the window's)
  // without scrolling to it, and the click is lost: every click first brings it to the middle.
  browser.overwriteCommand(
    'click',
    async function (click, options) {
      await scrollToCentre(browser, this);
      return click(options);
    },
    true,
  );
  await browser.waitUntil(() => browser.execute(() => document.documentElement.dataset.ready === '1'), {
    timeout: 30_000,
    timeoutMsg: 'the app never said it was ready',
  });
  return browser;
}

/** The input a person would find by its visible label. */
export async function field(browser, label, { timeout = 5_000 } = {}) {
  // Waits for it, as a person waits for a form to open (an edit form first fetches the organisation).
  let id = null;
  await browser
    .waitUntil(
      async () => {
        id = await browser.execute((text) => {
          const labels = [...document.querySelectorAll('label')];
          const found = labels.find((l) => l.textContent.trim().replace(/\s*\*$/, '') === text);
          const control = found?.control;
          if (!control) return null;
          if (!control.id) control.id = `e2e-${Math.random().toString(36).slice(2)}`;
          return control.id;
        }, label);
        return id !== null;
      },
      { timeout, interval: 100 },
    )
    .catch(() => {});
  if (!id) throw new Error(`no field labelled "${label}"`);
  return browser.$(`#${id}`);
}

/**
 * Scrolls an element to the middle of the window, as a person scrolls to it (pointer actions need
 * it in view). The page's own scrollIntoView: webdriverio's goes through a wheel action first,
 * which WebKitWebDriver can leave half done, with a button's lower edge under the window's.
 */
export async function scrollToCentre(browser, el) {
  await browser.execute((e) => e.scrollIntoView({ block: 'center', inline: 'nearest' }), el);
}

export async function fill(browser, label, value) {
  const input = await field(browser, label);
  await input.waitForDisplayed();
  // A person scrolls to a field below the fold; WebKitWebDriver's "clear" does not.
  await scrollToCentre(browser, input);
  await input.clearValue();
  if (value) await input.setValue(value);
}

export async function valueOf(browser, label) {
  return (await field(browser, label)).getValue();
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

/** Normalises what a person reads: collapsed spaces, no leading decoration such as "+" or "←". */
function readable(text) {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * The button a person would press, by its visible text or its accessible name (aria-label).
 * Leading symbols that only decorate ("+ Add contact", "← Back") are ignored.
 */
export async function button(browser, name, { timeout = 15_000 } = {}) {
  let id = null;
  await browser
    .waitUntil(
      async () => {
        id = await browser.execute((wanted) => {
          const clean = (t) => (t ?? '').replace(/\s+/g, ' ').trim();
          const strip = (t) => clean(t).replace(/^[^\p{L}\p{N}]+\s*/u, '');
          const buttons = [...document.querySelectorAll('button, [role=button]')].filter((b) => b.getClientRects().length > 0);
          const found =
            buttons.find((b) => clean(b.getAttribute('aria-label')) === wanted) ??
            buttons.find((b) => !b.hasAttribute('aria-label') && (clean(b.textContent) === wanted || strip(b.textContent) === wanted));
          if (!found) return null;
          if (!found.id) found.id = `e2e-${Math.random().toString(36).slice(2)}`;
          return found.id;
        }, name);
        return id !== null;
      },
      { timeout, timeoutMsg: `no button "${name}"` },
    )
    .catch(async (error) => {
      error.message += `; the screen says:\n${await screenText(browser)}`;
      throw error;
    });
  const el = await browser.$(`#${id}`);
  await scrollToCentre(browser, el);
  await el.waitForClickable({ timeout });
  return el;
}

export async function press(browser, name) {
  await (await button(browser, name)).click();
}

/** True when a button with that visible text or accessible name is on screen now. */
export async function hasButton(browser, name) {
  return button(browser, name, { timeout: 300 }).then(
    () => true,
    () => false,
  );
}

export async function screenText(browser) {
  return browser.execute(() => document.body.innerText);
}

/** Picks an option of a <select> found by its label, by the start of the option's visible text. */
export async function choose(browser, label, optionText) {
  const select = await field(browser, label);
  const value = await browser.execute(
    (el, wanted) => [...el.options].find((o) => o.textContent.trim().startsWith(wanted))?.value ?? null,
    select,
    optionText,
  );
  if (value === null) throw new Error(`"${label}" has no option "${optionText}"`);
  await select.selectByAttribute('value', value);
}

/** Types into a combobox found by its label and clicks the suggestion whose text contains `optionText`. */
export async function pick(browser, label, typed, optionText = typed) {
  const input = await field(browser, label);
  await input.click();
  await input.setValue(typed);
  const option = await browser.$(`//*[@role="option"][contains(normalize-space(.), ${xpathString(optionText)})]`);
  await option.waitForDisplayed({ timeout: 10_000 });
  await option.click();
  // Done picking: close the suggestions, as a person would, so they no longer cover the form.
  await browser.keys('Escape');
  await browser.waitUntil(async () => (await input.getAttribute('aria-expanded')) !== 'true', { timeout: 5_000, timeoutMsg: `"${label}" suggestions stayed open` });
}

function xpathString(s) {
  if (!s.includes('"')) return `"${s}"`;
  return `concat(${s.split('"').map((p) => `"${p}"`).join(', \'"\', ')})`;
}

/** The text of everything that describes a field (aria-describedby): its hints and its errors. */
export async function descriptionOf(browser, label) {
  const input = await field(browser, label);
  return browser.execute((el) => {
    const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    return ids.map((id) => document.getElementById(id)?.innerText ?? '').join('\n');
  }, input);
}

/**
 * The rows of a list found by its accessible name (role=list, ul or ol + aria-label), as the
 * lines of text a person reads in each rendered row.
 */
export async function listRows(browser, label) {
  return browser.execute((wanted) => {
    const list = [...document.querySelectorAll('[role=list], ul, ol')].find((l) => l.getAttribute('aria-label') === wanted);
    if (!list) return null;
    return [...list.querySelectorAll('[role=listitem], :scope > li')]
      .sort((a, b) => Number(a.getAttribute('aria-posinset')) - Number(b.getAttribute('aria-posinset')))
      .map((row) => {
        // Decoration hidden from assistive technology (initials in a thumbnail, icons) is not content.
        const decoration = new Set([...row.querySelectorAll('[aria-hidden=true]')].map((el) => el.textContent.trim()).filter(Boolean));
        return {
          position: Number(row.getAttribute('aria-posinset')),
          of: Number(row.getAttribute('aria-setsize')),
          lines: row.innerText
            .split('\n')
            .map((t) => t.replace(/\s+/g, ' ').trim())
            .filter((t) => t && !decoration.has(t)),
        };
      });
  }, label);
}

/** Scrolls the nearest scrollable container of a list (found by its accessible name) to `top` ("end" for the bottom). */
export async function scrollList(browser, label, top) {
  return browser.execute(
    (wanted, to) => {
      const list = [...document.querySelectorAll('[role=list]')].find((l) => l.getAttribute('aria-label') === wanted);
      let box = list;
      while (box && !(box.scrollHeight > box.clientHeight && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
      if (!box) throw new Error(`nothing scrolls around the list "${wanted}"`);
      box.scrollTop = to === 'end' ? box.scrollHeight : to;
      box.dispatchEvent(new Event('scroll'));
      return box.scrollTop;
    },
    label,
    top,
  );
}

/** A screenshot of the whole virtual display, for a failing test; returns the file. */
export function screenshot(name) {
  const file = join(tmpdir(), `oas-e2e-${name.replace(/[^\w-]+/g, '-')}-${Date.now()}.png`);
  try {
    execFileSync('import', ['-window', 'root', file], { stdio: 'ignore', timeout: 10_000 });
    return file;
  } catch {
    return null;
  }
}

/** Fills the sign-in form as a person would and presses "Sign in". */
/**
 * One sandbox + one driver + the app, torn down whatever happens; a screenshot when it fails.
 * `body` gets `{ sandbox, driver, app }`; `relaunch(ctx)` restarts the app in the same home.
 * `driverEnv` changes environment variables of the driver and so of the app (e.g. its PATH).
 */
export async function withApp(name, sandboxArgs, body, driverEnv = {}) {
  const sandbox = await startSandbox(sandboxArgs);
  const driver = await startDriverWith(driverEnv);
  const ctx = { sandbox, driver, app: await launchApp() };
  try {
    await body(ctx);
  } catch (error) {
    const shot = screenshot(name);
    if (shot) console.log(`# ${name} failed; screenshot: ${shot}`);
    throw error;
  } finally {
    await ctx.app.deleteSession().catch(() => {});
    await driver.stop();
    sandbox.stop();
  }
}

/** Waits until the open form's last change is kept as a draft (the form marks it). */
export async function draftKept(browser) {
  await browser.waitUntil(() => browser.execute(() => document.documentElement.dataset.draftSaved === '1'), {
    timeout: 20_000,
    timeoutMsg: 'the draft was never saved',
  });
}

/** Waits until the organisations screen has read the saved drafts (it marks how many). */
export async function draftsRead(browser) {
  await browser.waitUntil(() => browser.execute(() => document.documentElement.dataset.drafts !== undefined), {
    timeout: 20_000,
    timeoutMsg: 'the drafts were never read',
  });
}

export async function relaunch(ctx) {
  await ctx.app.deleteSession();
  ctx.app = await launchApp();
  return ctx.app;
}

export async function submitSignIn(browser, { server, apiKey, username, email, password }) {
  await fill(browser, 'Server', server);
  await fill(browser, 'API key', apiKey);
  await fill(browser, 'Username', username);
  await fill(browser, 'Email', email);
  await fill(browser, 'Password', password);
  await press(browser, 'Sign in');
}

/** Signs in to a sandbox's demo account and waits for the greeting. */
export async function signInToSandbox(browser, sandbox) {
  await submitSignIn(browser, { ...sandbox.demo, server: sandbox.url });
  await waitForText(browser, `Hello, ${sandbox.demo.username}`);
}

// ---------------------------------------------------------------------------- fault matrix
// Helpers for e2e/tests/faults.test.mjs: a sandbox restarted with other flags on the same port
// and database (the binary reads its fault file once, at start), the sandbox's own HTTP API from
// node (to count what the server really holds), tauri-driver with a changed environment, and
// the messages a person reads.

/** Stops a sandbox from startSandbox and waits until it has exited. */
export async function stopSandbox(sandbox) {
  const child = sandbox.child;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

/**
 * Starts a stopped (or running) sandbox from startSandbox again, on the same address and
 * database, with other `serve` flags (`--faults FILE`, `--access-ttl S`, `--login-rate N/min`).
 * Accounts, keys, tokens and organisations survive; only the flags change.
 */
export async function restartSandbox(sandbox, extraArgs = []) {
  await stopSandbox(sandbox);
  const addr = new URL(sandbox.url).host;
  const credentials = join(sandbox.dir, `demo-${Date.now()}.json`);
  const child = track(
    spawn(sandboxBinary, ['serve', '--addr', addr, '--db', join(sandbox.dir, 'oas.db'), '--demo', '--credentials-out', credentials, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  await waitForLine(child, /listening on (http:\/\/\S+)/, 30_000);
  child.stdout.resume(); // keep draining what it prints
  sandbox.child = child;
  sandbox.stop = () => child.kill('SIGTERM');
  return sandbox;
}

/** Runs an admin command of the sandbox binary on a sandbox's database; returns its stdout. */
export function sandboxAdmin(sandbox, command, args = []) {
  return execFileSync(sandboxBinary, [command, '--db', join(sandbox.dir, 'oas.db'), ...args], { encoding: 'utf8' }).trim();
}

/**
 * The sandbox's HTTP API from node, as another client would use it, with an API key of its own
 * (so revoking the app's key does not blind the test).
 */
export async function sandboxApi(sandbox) {
  const { username, email, password } = sandbox.demo;
  const apiKey = sandboxAdmin(sandbox, 'issue-key', ['--username', username]).split(/\s+/).pop();
  const api = `${sandbox.url}/api/`;
  let access = null;
  async function call(method, path, body) {
    if (!access) {
      const res = await fetch(`${api}auth/login/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, email, password }),
      });
      if (!res.ok) throw new Error(`sandbox login: ${res.status} ${await res.text()}`);
      access = (await res.json()).access;
    }
    const res = await fetch(path.startsWith('http') ? path : `${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${access}`, 'x-api-key': apiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status === 401) {
      access = null;
      return call(method, path, body);
    }
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  }
  return {
    apiKey,
    call,
    /** Every organisation of the account, all pages. */
    async organisations() {
      const all = [];
      for (let next = 'organisations/?page=1'; next; ) {
        const page = await call('GET', next);
        all.push(...page.results);
        next = page.next;
      }
      return all;
    },
    async named(name) {
      return (await this.organisations()).filter((o) => o.name === name);
    },
  };
}

/** tauri-driver like startDriver, with some environment variables changed (and a home given or fresh). */
export async function startDriverWith(envOverrides = {}, home = mkdtempSync(join(tmpdir(), 'oas-e2e-home-'))) {
  // The previous run's WebKitWebDriver may still hold the native port for a moment.
  for (let i = 0; i < 100 && ((await portOpen(driverPort)) || (await portOpen(nativePort))); i++) await sleep(100);
  const env = {
    ...process.env,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    LANG: 'en_US.UTF-8',
    LANGUAGE: 'en',
    ...envOverrides,
  };
  const child = track(spawn('tauri-driver', ['--port', String(driverPort), '--native-port', String(nativePort)], { stdio: ['ignore', 'inherit', 'inherit'], env }));
  for (let i = 0; i < 200; i++) {
    // tauri-driver listens at once; the WebKitWebDriver it starts takes a moment longer, and a
    // session asked for before that is refused.
    if ((await portOpen(driverPort)) && (await portOpen(nativePort))) return { home, env, child, stop: () => stopDriver(child) };
    if (child.exitCode !== null) throw new Error(`tauri-driver exited with ${child.exitCode}`);
    await sleep(100);
  }
  throw new Error('tauri-driver did not start');
}

/**
 * The messages on screen as a person reads them: banners (alerts and statuses) and the errors
 * next to fields, in screen order, visible ones only.
 */
export async function visibleMessages(browser, selector = '[role=alert], [role=status], .field-error') {
  return browser.execute(
    (wanted) =>
      [...document.querySelectorAll(wanted)]
        .filter((el) => el.getClientRects().length > 0)
        .map((el) => el.innerText.replace(/\s+/g, ' ').trim())
        .filter((t, i, all) => t && all.indexOf(t) === i),
    selector,
  );
}

/** Empties a text field as a person does (select all, delete), so the app sees the input. */
export async function clearField(browser, label) {
  const input = await field(browser, label);
  await input.click();
  await browser.keys(['Control', 'a']);
  await browser.keys('Backspace');
}
