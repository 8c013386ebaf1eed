// Takes the README's screenshot: the real app, signed in to the sandbox's demo account, on the
// organisations screen. Run through scripts/screenshot.sh (it provides the display and keychain).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startSandbox, startDriver, launchApp, fill, button, waitForText, stopAll, root, sleep } from './harness.mjs';

const out = process.argv[2] ?? join(root, 'docs', 'screenshot.png');
try {
  const sandbox = await startSandbox();
  await startDriver();
  const app = await launchApp();
  const { demo } = sandbox;
  await fill(app, 'Server', sandbox.url);
  await fill(app, 'API key', demo.apiKey);
  await fill(app, 'Username', demo.username);
  await fill(app, 'Email', demo.email);
  await fill(app, 'Password', demo.password);
  await (await button(app, 'Sign in')).click();
  await waitForText(app, `Hello, ${demo.username}`);
  await (await button(app, process.env.SCREEN ?? 'Organizations')).click();
  await sleep(2000);
  execFileSync('import', ['-window', 'root', out]);
  // No window manager under Xvfb: trim the empty screen around the window.
  execFileSync('convert', [out, '-trim', '+repage', out]);
  console.log(`saved ${out}`);
  await app.deleteSession();
} finally {
  stopAll();
}
