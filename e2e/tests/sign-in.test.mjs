// The walking skeleton, as a person uses it: sign in, stay signed in across restarts, sign out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startSandbox, startDriver, launchApp, fill, valueOf, button, waitForText, stopAll, submitSignIn } from '../harness.mjs';

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
  await app.deleteSession();
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
