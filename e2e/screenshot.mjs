// Takes the README's screenshot: the real app, signed in to the sandbox's demo account, on the
// organisations screen. Run through scripts/screenshot.sh (it provides the display and keychain).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startSandbox, startDriver, launchApp, button, stopAll, root, sleep, signInToSandbox } from './harness.mjs';

const out = process.argv[2] ?? join(root, 'docs', 'screenshot.png');
try {
  const sandbox = await startSandbox();
  await startDriver();
  const app = await launchApp();
  await signInToSandbox(app, sandbox);
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
