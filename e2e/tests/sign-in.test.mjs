// The walking skeleton, as a person uses it: sign in, stay signed in across restarts, sign out;
// the API key outlives sign-out (issue 10), and signing in by e-mail alone is kept too (issue 9).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startSandbox, startDriver, launchApp, fill, valueOf, button, press, hasButton, descriptionOf, waitForText, stopAll, submitSignIn } from '../harness.mjs';

let sandbox;

before(async () => {
  sandbox = await startSandbox();
  await startDriver();
});

after(() => stopAll());

const signIn = submitSignIn;

test('sign in, stay signed in across a restart, sign out, fields remembered', async () => {
  const { demo } = sandbox;
  let app = await launchApp();
  await signIn(app, { ...demo, server: sandbox.url });
  await waitForText(app, `Hello, ${demo.username}`);
  await waitForText(app, `…${demo.apiKey.slice(-3)}`);
  await app.deleteSession();

  app = await launchApp();
  await waitForText(app, `Hello, ${demo.username}`);
  await (await button(app, 'Sign out')).click();
  await button(app, 'Sign in');
  await app.deleteSession();

  app = await launchApp();
  await button(app, 'Sign in');
  assert.equal(await valueOf(app, 'Server'), `${sandbox.url}/api/`);
  assert.equal(await valueOf(app, 'Username'), demo.username);
  assert.equal(await valueOf(app, 'Email'), demo.email);
  assert.equal(await valueOf(app, 'Password'), '');
  assert.equal(await valueOf(app, 'API key'), '');
  // Signing out ended the session but kept the key: only the password is asked for.
  assert.match(await descriptionOf(app, 'API key'), new RegExp(`Key ending …${demo.apiKey.slice(-3)} is saved on this computer`));
  await fill(app, 'Password', demo.password);
  await press(app, 'Sign in');
  await waitForText(app, `Hello, ${demo.username}`);
  await app.deleteSession();
});

test('signing in with the e-mail alone is kept across a restart; Forget this server removes the key', async () => {
  const { demo } = sandbox;
  let app = await launchApp();
  try {
    await waitForText(app, `Hello, ${demo.username}`);
    await press(app, 'Sign out');
    await press(app, 'Forget this server');
    // The form starts afresh: nothing remembered, no key offered.
    await app.waitUntil(async () => !(await hasButton(app, 'Forget this server')) && (await valueOf(app, 'Username')) === '', {
      timeout: 15_000,
      timeoutMsg: 'the server was not forgotten',
    });
    assert.equal(await valueOf(app, 'Email'), '');
    assert.doesNotMatch(await descriptionOf(app, 'API key'), /saved on this computer/);
    await app.deleteSession();

    app = await launchApp();
    await button(app, 'Sign in');
    assert.doesNotMatch(await descriptionOf(app, 'API key'), /saved on this computer/, 'the key is gone for good');
    await signIn(app, { ...demo, server: sandbox.url, username: '', email: `  ${demo.email.toUpperCase()} ` });
    await waitForText(app, `Hello, ${demo.username}`);
    await app.deleteSession();

    app = await launchApp();
    await waitForText(app, `Hello, ${demo.username}`);
    await press(app, 'Sign out');
    await button(app, 'Sign in');
  } finally {
    await app.deleteSession().catch(() => {});
  }
});

test('bad input gives a clear message and keeps what was typed', async () => {
  const { demo } = sandbox;
  const html = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>');
  });
  await new Promise((r) => html.listen(0, '127.0.0.1', r));
  const htmlUrl = `http://127.0.0.1:${html.address().port}`;
  const app = await launchApp();
  try {
    await signIn(app, { ...demo, server: sandbox.url, password: 'not-the-password' });
    await waitForText(app, 'The username, email or password is not correct.');
    assert.equal(await valueOf(app, 'Password'), 'not-the-password');
    assert.equal(await valueOf(app, 'Username'), demo.username);

    await signIn(app, { ...demo, server: sandbox.url, apiKey: 'AAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' });
    await waitForText(app, 'This API key was not accepted.');
    assert.equal(await valueOf(app, 'API key'), 'AAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB');

    await signIn(app, { ...demo, server: htmlUrl });
    await waitForText(app, 'it is not an OAS server');

    await signIn(app, { ...demo, server: 'http://127.0.0.1:9' });
    await waitForText(app, 'We could not reach this server.');

    await fill(app, 'Server', 'http://oas.example.com');
    await (await button(app, 'Sign in')).click();
    await waitForText(app, 'Use https://');
    assert.equal(await valueOf(app, 'Server'), 'http://oas.example.com');
  } finally {
    await app.deleteSession();
    html.close();
  }
});
