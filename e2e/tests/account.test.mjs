// The Account screen as a person uses it: edit the profile, change the password and sign in with
// the new one, replace an API key the administrator revoked (from the dialog that opens on any
// screen, keeping the open form, and on the Account screen), switch theme and language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  startSandbox, startDriver, launchApp, fill, valueOf, button, press, waitForText, stopAll,
  signInToSandbox, sandboxBinary, descriptionOf, pick, choose, screenshot,
} from '../harness.mjs';

let sandbox;

before(async () => {
  sandbox = await startSandbox();
  await startDriver();
});

after(() => stopAll());

/** The administrator's command line, against the running sandbox's database. */
function admin(...args) {
  return execFileSync(sandboxBinary, [...args, '--db', join(sandbox.dir, 'oas.db')], { encoding: 'utf8' }).trim();
}

/** Runs a test's steps with the app open; on failure, a screenshot of the screen and the app closed. */
async function withApp(name, steps) {
  const app = await launchApp();
  try {
    await steps(app);
  } catch (error) {
    error.message += `\nscreenshot: ${screenshot(name)}`;
    throw error;
  } finally {
    await app.deleteSession().catch(() => {});
  }
}

async function openAccount(app, username) {
  await press(app, `Account menu: ${username}`);
  await press(app, 'Account');
  await waitForText(app, 'Edit personal information');
}

test('edit the profile, change the password, stay restorable, sign in with the new password', async () => {
  const { demo } = sandbox;
  const renamed = `${demo.username}.renamed`;
  const newPassword = 'violet-harbour-tundra-41';
  await withApp('profile-and-password', async (app) => {
    await signInToSandbox(app, sandbox);
    await openAccount(app, demo.username);
    await waitForText(app, 'Last sign-in');

    await fill(app, 'Username', renamed);
    await fill(app, 'Email', 'not-an-email');
    await press(app, 'Save changes');
    await waitForText(app, 'Enter a valid email address.');
    assert.equal(await valueOf(app, 'Username'), renamed, 'what was typed stays');
    await fill(app, 'Email', `renamed.${demo.email}`);
    await press(app, 'Save changes');
    await waitForText(app, 'Your personal information was saved.');
    await button(app, `Account menu: ${renamed}`); // the header follows

    await fill(app, 'Current password', demo.password);
    await fill(app, 'New password', '12345678');
    await waitForText(app, 'Strength: very weak');
    await fill(app, 'Confirm new password', '12345678');
    await press(app, 'Change password');
    await waitForText(app, 'This password is entirely numeric.');
    assert.match(await descriptionOf(app, 'Confirm new password'), /too common|entirely numeric/);

    await fill(app, 'New password', newPassword);
    await press(app, 'Show new password');
    await fill(app, 'Confirm new password', newPassword);
    await press(app, 'Change password');
    await waitForText(app, 'Your password was changed.');
  });

  // A restart restores the session under the new username.
  await withApp('new-password-sign-in', async (app) => {
    await waitForText(app, `Hello, ${renamed}`);
    await press(app, 'Sign out');
    await button(app, 'Sign in');
    assert.equal(await valueOf(app, 'Username'), renamed, 'the sign-in form remembers the new username');

    await fill(app, 'Password', demo.password);
    await fill(app, 'API key', demo.apiKey);
    await press(app, 'Sign in');
    await waitForText(app, 'The username, email or password is not correct.');
    await fill(app, 'Password', newPassword);
    await press(app, 'Sign in');
    await waitForText(app, `Hello, ${renamed}`);
  });
  sandbox.demo = { ...demo, username: renamed, email: `renamed.${demo.email}`, password: newPassword };
});

test('a revoked API key mid-session: the dialog takes the new key, the open form is kept and saved', async () => {
  const { demo } = sandbox;
  await withApp('revoked-key', async (app) => {
    await waitForText(app, `Hello, ${demo.username}`);
    const oldKey = demo.apiKey;

    // A half-typed organisation, opened with Ctrl+N.
    await app.keys(['Control', 'n']);
    await waitForText(app, 'New organization');
    await fill(app, 'Name', 'Rotated Key Ltd');
    await pick(app, 'Currencies', 'EUR');
    await choose(app, 'Base currency', 'EUR');

    // Meanwhile the administrator replaces the key.
    const newKey = admin('issue-key', '--username', demo.username);
    admin('revoke-key', '--key', oldKey);

    await app.keys(['Control', 's']);
    await waitForText(app, 'Your API key was refused');
    const dialogField = await app.$('#key-dialog-api-key');
    await dialogField.waitForDisplayed();
    await dialogField.setValue(oldKey);
    await (await app.$('dialog[open] button[type=submit]')).click();
    await waitForText(app, 'This API key was not accepted.');
    await dialogField.setValue(newKey);
    await (await app.$('dialog[open] button[type=submit]')).click();
    await waitForText(app, 'The new key is in use.');
    await press(app, 'Close');
    // Focus is back where it was (the currency search); its suggestions close with Escape.
    await app.keys('Escape');
    assert.equal(await valueOf(app, 'Name'), 'Rotated Key Ltd', 'the open form is kept');
    await press(app, 'Save');
    await waitForText(app, 'Saved “Rotated Key Ltd”.');

    // The Account screen shows the key in use and refuses the revoked one at its field.
    await openAccount(app, demo.username);
    await waitForText(app, `API key ending …${newKey.slice(-3)}`);
    await fill(app, 'New API key', oldKey);
    await press(app, 'Replace API key');
    await waitForText(app, 'This API key was not accepted.');
    assert.equal(await valueOf(app, 'New API key'), oldKey);
    sandbox.demo = { ...demo, apiKey: newKey };
  });
});

test('theme and language are switched and remembered', async () => {
  const { demo } = sandbox;
  const theme = (app) => app.execute(() => document.documentElement.dataset.theme);
  await withApp('theme', async (app) => {
    await waitForText(app, `Hello, ${demo.username}`);
    await openAccount(app, demo.username);
    await (await app.$('input[name=theme][value=dark]')).click();
    await app.waitUntil(async () => (await theme(app)) === 'dark', { timeout: 10_000, timeoutMsg: 'never dark' });
    const background = await app.execute(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(background, 'rgb(245, 247, 251)', 'the dark colours apply');
    const language = await app.$('.topbar select');
    await language.selectByAttribute('value', 'es');
    await waitForText(app, 'Editar datos personales');
  });
  await withApp('theme-restart', async (app) => {
    await waitForText(app, `Hola, ${demo.username}`);
    assert.equal(await theme(app), 'dark', 'the theme is remembered');
  });
});
