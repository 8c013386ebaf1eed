// Window comfort (issue 10): the window's size and position are remembered across a relaunch
// (tauri-plugin-window-state), and a second launch hands over to the running app and exits
// (src-tauri/single_instance.rs: a name on the D-Bus session bus). Xvfb has no window manager: the
// app's own X11 requests move and size the window directly, so what is set is exactly what is
// remembered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withApp, relaunch, appBinary, sleep } from '../harness.mjs';

const STATE_FILE = ['config', 'me.ottomate.oas.desktop', '.window-state.json'];

test('size and position are remembered across a relaunch', async () => {
  await withApp('window state', [], async (ctx) => {
    const first = await ctx.app.getWindowRect();
    const wanted = { x: first.x === 150 ? 170 : 150, y: 90, width: 960, height: 640 };
    await ctx.app.setWindowRect(wanted.x, wanted.y, wanted.width, wanted.height);
    await ctx.app.waitUntil(async () => JSON.stringify(await ctx.app.getWindowRect()) === JSON.stringify(wanted), {
      timeout: 10_000,
      timeoutMsg: `the window did not move to ${JSON.stringify(wanted)}: ${JSON.stringify(await ctx.app.getWindowRect())}`,
    });

    // Written once the move settles, not only at a clean exit: the driver ends the app with a
    // signal, as a logout or a crash would.
    const file = join(ctx.driver.home, ...STATE_FILE);
    const saved = () => {
      if (!existsSync(file)) return null;
      const { x, y, width, height } = JSON.parse(readFileSync(file, 'utf8')).main ?? {};
      return { x, y, width, height };
    };
    await ctx.app.waitUntil(async () => JSON.stringify(saved()) === JSON.stringify(wanted), {
      timeout: 10_000,
      timeoutMsg: `the window state was not written: ${JSON.stringify(saved())}`,
    });

    const app = await relaunch(ctx);
    await app.waitUntil(async () => JSON.stringify(await app.getWindowRect()) === JSON.stringify(wanted), {
      timeout: 10_000,
      timeoutMsg: `after a relaunch the window is at ${JSON.stringify(await app.getWindowRect())}, not ${JSON.stringify(wanted)}`,
    });
  });
});

test('a second launch hands over to the running window and exits', async () => {
  await withApp('single instance', [], async (ctx) => {
    const before = await ctx.app.getWindowRect();
    // Started as a person would, from the desktop: same user, same session bus and display.
    const home = ctx.driver.home;
    const env = { ...process.env, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') };
    const second = spawn(appBinary, [], { env, stdio: 'ignore' });
    const code = await Promise.race([new Promise((r) => second.once('exit', (c, signal) => r(c ?? signal))), sleep(20_000).then(() => 'still running')]);
    if (code === 'still running') second.kill('SIGKILL');
    assert.equal(code, 0, 'the second launch exits by itself, having handed over');
    // The running app is still there, answering, with its one window as it was, and focused.
    assert.deepEqual(await ctx.app.getWindowRect(), before);
    assert.equal(await ctx.app.execute(() => document.documentElement.dataset.ready), '1');
    assert.equal(await ctx.app.execute(() => document.hasFocus()), true, 'the running window has the focus');
  });
});

test('without a D-Bus session the app starts all the same and logs why it has no single-instance guard', async () => {
  // No session bus: no name to own, so no single-instance guard, and no keychain either.
  await withApp('no session bus', [], async (ctx) => {
    assert.equal(await ctx.app.execute(() => document.documentElement.dataset.ready), '1');
    const text = await ctx.app.execute(() => document.body.innerText);
    assert.match(text, /Sign in to OAS/);
    // And says why in its log (what "Report a problem" sends).
    const log = join(ctx.driver.home, 'data', 'me.ottomate.oas.desktop', 'logs', 'OAS Desktop.log');
    await ctx.app.waitUntil(async () => existsSync(log) && /single instance: no D-Bus session bus/.test(readFileSync(log, 'utf8')), {
      timeout: 10_000,
      timeoutMsg: `the log does not say why: ${existsSync(log) ? readFileSync(log, 'utf8') : '(no log)'}`,
    });
  }, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/oas-e2e-bus' });
});
