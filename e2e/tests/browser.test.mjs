// Pages the app opens in the person's browser: the access request from the sign-in screen.
// A desktop opens a web address with xdg-open (or gio); here a stand-in xdg-open on the PATH
// writes down what it was asked to open. Without any way to open a browser the person is told so.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { withApp, button, visibleMessages, stopAll } from '../harness.mjs';

after(() => stopAll());

/** A folder to put first on the PATH, holding the given programs. */
function binFolder(programs) {
  const dir = mkdtempSync(join(tmpdir(), 'oas-e2e-bin-'));
  for (const [name, target] of Object.entries(programs)) {
    if (target.startsWith('#!')) {
      writeFileSync(join(dir, name), target);
      chmodSync(join(dir, name), 0o755);
    } else {
      symlinkSync(target, join(dir, name));
    }
  }
  return dir;
}

test('"Request access" opens the request form in the browser', async () => {
  const opened = join(mkdtempSync(join(tmpdir(), 'oas-e2e-opened-')), 'url');
  const bin = binFolder({ 'xdg-open': `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n` });
  await withApp('browser opens', [], async ({ app }) => {
    await (await button(app, "Don't have an account?")).click();
    await (await button(app, 'Request access')).click();
    await app.waitUntil(async () => existsSync(opened), { timeout: 10_000, timeoutMsg: 'no browser was asked to open a page' });
    assert.equal(readFileSync(opened, 'utf8'), 'https://oas-beta.ottomate.me/');
    assert.deepEqual(await visibleMessages(app), [], 'no error is shown when the browser opened');
  }, { PATH: `${bin}:${process.env.PATH}` });
});

test('without a browser to open, "Request access" says so', async () => {
  // Only what the test itself needs on the PATH (the driver and WebKit's), no xdg-open or gio.
  const which = (program) => execFileSync('which', [program], { encoding: 'utf8' }).trim();
  const bin = binFolder({ 'tauri-driver': which('tauri-driver'), WebKitWebDriver: which('WebKitWebDriver') });
  await withApp('no browser', [], async ({ app }) => {
    await (await button(app, "Don't have an account?")).click();
    await (await button(app, 'Request access')).click();
    await app.waitUntil(async () => (await visibleMessages(app)).some((m) => m.includes('The request form could not be opened')), {
      timeout: 10_000,
      timeoutMsg: `no message; on screen: ${JSON.stringify(await visibleMessages(app))}`,
    });
  }, { PATH: bin });
});
