// The start-up floor's page (issue 12): OAS Desktop's first screen as a static page. Launches the
// release app through tauri-driver on a fresh profile (its sign-in screen, as the start-up figure
// measures it), takes the screen as painted (the root element's attributes, the head's meta and
// stylesheet links, #app's markup) and writes, in FIRST_SCREEN_DIR, an index.html with that markup,
// the app's stylesheets (copied from ui/dist) and the baseline's ready script (page/main.js): the
// only script, run once the page is parsed, as in the baseline. run.sh builds the baseline with
// this page (TAURI_CONFIG's frontendDist), so the two differ only in what the page shows: the
// difference is what painting the first screen costs without building it in script.
// With FIRST_SCREEN_IPC_DIR set it also writes there the start-up floor with one IPC's page: the
// same, but #app empty and its markup inert in <template id="first-screen">, with
// baseline/first-screen-ipc/main.js, which shows it once the page has one answer from Rust
// (run.sh builds the baseline with --features first-screen-ipc for it).
// Runs inside scripts/e2e.sh's environment (display, D-Bus, keychain):
//   OAS_DESKTOP_BIN=... FIRST_SCREEN_DIR=... [FIRST_SCREEN_IPC_DIR=...] E2E_COMMAND="node bench/first_screen.mjs" scripts/e2e.sh
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { launchApp, root, startDriver, stopAll } from '../e2e/harness.mjs';

const dir = process.env.FIRST_SCREEN_DIR;
if (!dir) throw new Error('FIRST_SCREEN_DIR is not set');

/** Text as HTML, in an element or a quoted attribute value. */
const escape = (value) => value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

try {
  await startDriver();
  const app = await launchApp();
  const screen = await app.execute(() => ({
    // data-ready is the ready mark itself, set after the screen was painted.
    attributes: [...document.documentElement.attributes].filter((a) => a.name !== 'data-ready').map((a) => [a.name, a.value]),
    metas: [...document.head.querySelectorAll('meta')].map((m) => m.outerHTML),
    stylesheets: [...document.head.querySelectorAll('link[rel="stylesheet"]')].map((l) => new URL(l.href).pathname),
    inlineStyles: [...document.head.querySelectorAll('style')].map((s) => s.textContent),
    title: document.title,
    app: document.getElementById('app').innerHTML,
  }));
  if (!screen.app.includes('<form')) throw new Error('the first screen is not the sign-in form');
  /** The page: the app's head, with `links` to its stylesheets, around `body`. */
  const page = (links, body) => [
    '<!doctype html>',
    `<html ${screen.attributes.map(([name, value]) => `${name}="${escape(value)}"`).join(' ')}>`,
    '  <head>',
    ...screen.metas.map((m) => `    ${m}`),
    `    <title>${escape(screen.title)}</title>`,
    '    <script type="module" src="/main.js"></script>',
    ...links.map((l) => `    ${l}`),
    ...screen.inlineStyles.map((s) => `    <style>${s}</style>`),
    '  </head>',
    '  <body>',
    body,
    '  </body>',
    '</html>',
    '',
  ].join('\n');
  /** The page in `into`: the screen's markup in `body`, with `script` as its only script. */
  const write = (into, script, body) => {
    mkdirSync(join(into, 'assets'), { recursive: true });
    const links = screen.stylesheets.map((path) => {
      copyFileSync(join(root, 'ui', 'dist', path), join(into, 'assets', basename(path)));
      return `<link rel="stylesheet" href="/assets/${escape(basename(path))}">`;
    });
    copyFileSync(script, join(into, 'main.js'));
    const html = page(links, body);
    writeFileSync(join(into, 'index.html'), html);
    return Buffer.byteLength(html);
  };
  const bytes = write(dir, join(root, 'bench', 'baseline', 'page', 'main.js'), `    <div id="app">${screen.app}</div>`);
  const ipcDir = process.env.FIRST_SCREEN_IPC_DIR;
  if (ipcDir) {
    write(ipcDir, join(root, 'bench', 'baseline', 'first-screen-ipc', 'main.js'),
      `    <div id="app"></div>\n    <template id="first-screen">${screen.app}</template>`);
  }
  console.log(JSON.stringify({ first_screen_html_bytes: bytes, stylesheets: screen.stylesheets.length }));
} finally {
  await stopAll();
}
