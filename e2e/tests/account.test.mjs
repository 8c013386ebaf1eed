// The Account screen as a person uses it: edit the profile, change the password and sign in with
// the new one, replace an API key the administrator revoked (from the Account screen and from the
// dialog that opens on any screen), switch theme and language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  startSandbox, startDriver, launchApp, fill, valueOf, button, press, waitForText, stopAll, submitSignIn,
  signInToSandbox, sandboxBinary, descriptionOf, screenText,
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

async function openAccount(app, username) {
  await press(app, `Account menu: ${username}`);
  await press(app, 'Account');
  await waitForText(app, 'Edit personal information');
}

test('edit the profile, change the password, stay restorable, sign in with the new password', async () => {
  const { demo } = sandbox;
  const renamed = `${demo.username}.renamed`;
  const newPassword = 'violet-harbour-tundra-41';
  let app = await launchApp();
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
  await app.deleteSession();

  // A restart restores the session under the new username.
  app = await launchApp();
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
  await app.deleteSession();
  sandbox.demo = { ...demo, username: renamed, email: `renamed.${demo.email}`, password: newPassword };
});

test('a revoked API key: refused at the field, replaced from the dialog on another screen without losing anything', async () => {
  const { demo } = sandbox;
  const app = await launchApp();
  await waitForText(app, `Hello, ${demo.username}`);
  const oldKey = demo.apiKey;
  const newKey = admin('issue-key', '--username', demo.username);
  admin('revoke-key', '--key', oldKey);

  // On the Account screen: the revoked key is refused where it was typed.
  await openAccount(app, demo.username);
  await fill(app, 'New API key', oldKey);
  await press(app, 'Replace API key');
  await waitForText(app, 'This API key was not accepted.');
  assert.equal(await valueOf(app, 'New API key'), oldKey);

  // Elsewhere, mid-session: the refused key opens the dialog; the new key goes in right there.
  await press(app, 'Organizations');
  await waitForText(app, 'Your API key was refused');
  const dialogField = await app.$('#key-dialog-api-key');
  await dialogField.waitForDisplayed();
  await dialogField.setValue(newKey);
  const dialogSubmit = await app.$('dialog[open] button[type=submit]');
  await dialogSubmit.click();
  await waitForText(app, 'The new key is in use.');
  await press(app, 'Close');
  await press(app, 'Refresh');
  await app.waitUntil(async () => !(await screenText(app)).includes('This API key was not accepted'), {
    timeout: 20_000,
    timeoutMsg: 'the list never loaded with the new key',
  });
  await press(app, 'Home');
  await waitForText(app, `API key ending …${newKey.slice(-3)}`);
  await app.deleteSession();
  sandbox.demo = { ...demo, apiKey: newKey };
});

test('theme and language are switched and remembered', async () => {
  const { demo } = sandbox;
  let app = await launchApp();
  await waitForText(app, `Hello, ${demo.username}`);
  await openAccount(app, demo.username);
  const theme = () => app.execute(() => document.documentElement.dataset.theme);
  await (await app.$('input[name=theme][value=dark]')).click();
  await app.waitUntil(async () => (await theme()) === 'dark', { timeout: 10_000, timeoutMsg: 'never dark' });
  const background = await app.execute(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(background, 'rgb(245, 247, 251)', 'the dark colours apply');
  const language = await app.$('.usermenu').parentElement().$('select');
  await language.selectByAttribute('value', 'es');
  await waitForText(app, 'Editar datos personales');
  await app.deleteSession();

  app = await launchApp();
  await waitForText(app, `Hola, ${demo.username}`);
  assert.equal(await theme(), 'dark', 'the theme is remembered');
  await app.deleteSession();
});
