// Two server profiles against two sandboxes, as a person uses them: sign in to A, name it, add B
// and sign in there, switch back to A in two clicks and see A's list without signing in again,
// the window title and header naming the server in use; after a relaunch both are still signed in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  startSandbox, startDriver, launchApp, fill, valueOf, press, hasButton, waitForText, stopAll,
  signInToSandbox, sandboxAdmin, field, screenshot, screenText,
} from '../harness.mjs';

let a;
let b;
let bea;

before(async () => {
  a = await startSandbox();
  b = await startSandbox();
  const password = 'amber-lantern-quartz-77';
  const apiKey = sandboxAdmin(b, 'add-user', ['--username', 'bea', '--email', 'bea@example.com', '--password', password]).split(/\s+/).pop();
  sandboxAdmin(b, 'seed-orgs', ['--username', 'bea', '--count', '3']);
  bea = { apiKey, password };
  await startDriver();
});

after(() => stopAll());

const hostOf = (sandbox) => sandbox.url.replace(/^http:\/\//, '');

/** The native windows' titles, as the taskbar shows them (xdotool; null where it is missing). */
function windowNames() {
  if (!existsSync('/usr/bin/xdotool')) return null;
  try {
    const ids = execFileSync('xdotool', ['search', '--name', 'OAS'], { encoding: 'utf8' }).trim().split('\n');
    return ids.map((id) => execFileSync('xdotool', ['getwindowname', id], { encoding: 'utf8' }).trim());
  } catch {
    return [];
  }
}

async function title(app, expected) {
  const native = () => windowNames()?.includes(expected) ?? true;
  await app.waitUntil(async () => (await app.getTitle()) === expected && native(), {
    timeout: 10_000,
    timeoutMsg: `the page's or the window's title never became "${expected}"`,
  });
}

/** The language switcher on every screen (its label is read by screen readers only). */
async function language(app, code) {
  await (await app.$('.language select')).selectByAttribute('value', code);
}

/** Two clicks: open the server menu, choose the server. */
async function switchTo(app, from, to) {
  await press(app, `Server in use: ${from}. Switch server`);
  await press(app, to);
}

test('two servers, each with its own session, list and title; both restored after a relaunch', async () => {
  let app = await launchApp();
  try {
    // A: the first sign-in makes a profile named by its address.
    await signInToSandbox(app, a);
    await title(app, `OAS Desktop — ${hostOf(a)}`);
    await press(app, 'Organizations');
    await waitForText(app, 'Northwind Traders');

    // Name it, then add B.
    await press(app, `Server in use: ${hostOf(a)}. Switch server`);
    await press(app, 'Manage servers…');
    await press(app, `Edit ${hostOf(a)}`);
    await fill(app, 'Name', 'Production');
    await (await field(app, 'Red')).click();
    await press(app, 'Save');
    await press(app, 'Add a server');
    await fill(app, 'Name', 'Training sandbox');
    await fill(app, 'Address', b.url);
    await press(app, 'Add server');
    await waitForText(app, b.url.replace(/^http:\/\//, 'http://'));
    await app.pause(300); // only for the picture
    console.log(`# manage servers: ${screenshot('servers-manage')}`);
    await press(app, 'Use Training sandbox');

    // B's sign-in form, for B; A stays signed in.
    await waitForText(app, 'Sign in to OAS');
    assert.equal(await valueOf(app, 'Server'), `${b.url}/api/`);
    assert.equal(await valueOf(app, 'Username'), '');
    await title(app, 'OAS Desktop — Training sandbox');
    const known = await app.execute((el) => [...el.options].map((o) => o.textContent.trim()), await field(app, 'Sign in to'));
    assert.deepEqual(known, ['Production (signed in)', 'Training sandbox', 'Another server…']);
    await fill(app, 'API key', bea.apiKey);
    await fill(app, 'Username', 'bea');
    await fill(app, 'Password', bea.password);
    await press(app, 'Sign in');
    await waitForText(app, 'Hello, bea');
    await press(app, 'Organizations');
    await waitForText(app, 'Seed Organisation 00001');
    assert.doesNotMatch(await screenText(app), /Northwind Traders/, "A's list never shows under B");

    // Back to A in two clicks: its list, no sign-in.
    await switchTo(app, 'Training sandbox', 'Production Signed in');
    await waitForText(app, 'Northwind Traders');
    await title(app, 'OAS Desktop — Production');
    assert.doesNotMatch(await screenText(app), /Seed Organisation/);
    assert.equal(await hasButton(app, 'Sign in'), false);

    // The header with two profiles, menu open, in both languages (looked at by a person).
    await press(app, 'Server in use: Production. Switch server');
    await waitForText(app, 'Manage servers…');
    await app.pause(500); // only for the picture: the next frame painted
    console.log(`# header, English: ${screenshot('servers-header-en')}`);
    await press(app, 'Server in use: Production. Switch server');
    await language(app, 'es');
    await press(app, 'Servidor en uso: Production. Cambiar de servidor');
    await waitForText(app, 'Sesión iniciada');
    await app.pause(500);
    console.log(`# header, Spanish: ${screenshot('servers-header-es')}`);
    await press(app, 'Servidor en uso: Production. Cambiar de servidor');
    await language(app, 'en');
  } catch (error) {
    error.message += `\nscreenshot: ${screenshot('servers')}`;
    throw error;
  } finally {
    await app.deleteSession().catch(() => {});
  }

  // A relaunch restores A (in use) and, when chosen, B: neither asks to sign in.
  app = await launchApp();
  try {
    await waitForText(app, `Hello, ${a.demo.username}`);
    await title(app, 'OAS Desktop — Production');
    await switchTo(app, 'Production', 'Training sandbox Signed in');
    await waitForText(app, 'Hello, bea');
    await title(app, 'OAS Desktop — Training sandbox');
    await switchTo(app, 'Training sandbox', 'Production Signed in');
    await waitForText(app, `Hello, ${a.demo.username}`);
  } catch (error) {
    error.message += `\nscreenshot: ${screenshot('servers-relaunch')}`;
    throw error;
  } finally {
    await app.deleteSession().catch(() => {});
  }
});
