// Import from a spreadsheet (issue 14), against the sandbox: 500 rows with 10 invalid, the report
// exported, its failed rows fixed and the report imported again; an import killed halfway and
// run again, with the sandbox throttling and slow: every organisation exists exactly once.
// The GTK file chooser is driven with xdotool, as a person types a path into it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appBinary,
  launchApp,
  press,
  sandboxApi,
  screenText,
  signInToSandbox,
  sleep,
  waitForText,
  withApp,
} from '../harness.mjs';

/** `n` rows of an Excel-style CSV (BOM, semicolons, CRLF, Spanish headers); `invalid` rows have an unknown currency. */
function spreadsheet(prefix, n, invalid = new Set()) {
  const rows = ['\uFEFFNombre;Moneda base;Monedas'];
  for (let i = 0; i < n; i++) {
    const code = invalid.has(i) ? 'ABC' : ['USD', 'EUR', 'MXN'][i % 3];
    rows.push(`${prefix} ${String(i).padStart(4, '0')};${code};${code} USD`);
  }
  return rows.join('\r\n') + '\r\n';
}

const run = promisify(execFile);

/** Types `path` into the GTK file dialog titled `title` once it is open, and confirms. */
async function typeIntoFileDialog(title, path) {
  // Asynchronous: the test presses the button that opens the dialog meanwhile.
  const xdotool = (...args) => run('xdotool', args, { encoding: 'utf8', timeout: 30_000 });
  const { stdout } = await xdotool('search', '--sync', '--onlyvisible', '--name', title);
  const win = stdout.trim().split('\n').pop();
  const stillOpen = async () => {
    const found = await xdotool('search', '--onlyvisible', '--name', title).catch(() => ({ stdout: '' }));
    return found.stdout.trim().split('\n').includes(win);
  };
  // A dialog still setting itself up can drop a key (GTK then logs "gtk_widget_event: assertion
  // 'WIDGET_REALIZED_FOR_EVENT' failed"): a person would see the path typed and press Return
  // again. So does this, typing the path afresh, until the dialog closes.
  for (let attempt = 1; attempt <= 4; attempt++) {
    try {
      await xdotool('windowfocus', '--sync', win);
    } catch (error) {
      // Closed meanwhile: the last Return was taken after all.
      if (!(await stillOpen())) return;
      throw error;
    }
    await sleep(500 * attempt);
    // Open: Ctrl+L shows the location field. Save: the name field has focus. Then select what is
    // there (an earlier attempt's path, the suggested name) so the path replaces it.
    if (title === 'Open File') await xdotool('key', '--window', win, 'ctrl+l');
    await xdotool('key', '--window', win, 'ctrl+a');
    await sleep(300);
    await xdotool('type', '--window', win, '--delay', '5', path);
    await sleep(300);
    await xdotool('key', '--window', win, 'Return');
    for (let i = 0; i < 20 && (await stillOpen()); i++) await sleep(100);
    if (!(await stillOpen())) return;
  }
  throw new Error(`the "${title}" dialog did not take ${path}`);
}

async function chooseFile(app, path) {
  const dialog = typeIntoFileDialog('Open File', path);
  await press(app, (await screenText(app)).includes('Import another file') ? 'Import another file' : 'Choose file…');
  await dialog;
}

/** Waits for the line of text that starts with `start` and returns it. */
async function lineStarting(app, start, timeout = 120_000) {
  let line = null;
  await app.waitUntil(
    async () => {
      line = (await screenText(app)).split('\n').find((l) => l.trim().startsWith(start))?.trim() ?? null;
      return line !== null;
    },
    { timeout, timeoutMsg: `no line starting "${start}"` },
  ).catch(async (error) => {
    error.message += `; the screen says:\n${await screenText(app)}`;
    throw error;
  });
  return line;
}

async function openImport(app) {
  await press(app, 'Organizations');
  await press(app, 'Import');
  await waitForText(app, 'Import organizations');
}

/** Name → how many organisations of the account have it, as the server holds them. */
async function countByName(sandbox, prefix) {
  const api = await sandboxApi(sandbox);
  const counts = new Map();
  for (const o of await api.organisations()) {
    if (o.name.startsWith(prefix)) counts.set(o.name, (counts.get(o.name) ?? 0) + 1);
  }
  return counts;
}

function assertEachOnce(counts, expected) {
  const twice = [...counts].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], 'no organisation created twice');
  assert.equal(counts.size, expected);
}

test('500 rows with 10 invalid, then the report with its failed rows fixed', async () => {
  await withApp('import-500', [], async (ctx) => {
    const app = ctx.app;
    const dir = mkdtempSync(join(tmpdir(), 'oas-e2e-import-'));
    const file = join(dir, 'organizaciones.csv');
    const invalid = new Set(Array.from({ length: 10 }, (_, i) => i * 50 + 3));
    writeFileSync(file, spreadsheet('Importada', 500, invalid));

    await signInToSandbox(app, ctx.sandbox);
    await openImport(app);
    await chooseFile(app, file);
    await waitForText(app, 'organizaciones.csv: 500 rows');
    await press(app, 'Preview');
    assert.equal(await lineStarting(app, '490 new'), '490 new, 0 already exist, 10 with errors');
    const text = await screenText(app);
    assert.ok(text.includes('“ABC” is not a currency code we know.'), 'the reason is at the cell');
    assert.ok(text.includes('USD (US Dollar)') || text.includes('ABC'), 'currencies are named as in the picker');
    assert.equal((await countByName(ctx.sandbox, 'Importada')).size, 0, 'nothing is sent before confirming');

    await press(app, 'Import 490 organizations');
    assert.equal(await lineStarting(app, '490 created'), '490 created, 0 updated, 0 skipped, 10 failed');
    assertEachOnce(await countByName(ctx.sandbox, 'Importada'), 490);

    // The report, saved, fixed in the "spreadsheet", imported again.
    const reportFile = join(dir, 'informe.csv');
    const saving = typeIntoFileDialog('Save File', reportFile);
    await press(app, 'Export report');
    await saving;
    await waitForText(app, 'Report saved.');
    const report = readFileSync(reportFile, 'utf8');
    assert.equal(report.split('\r\n').filter((l) => l.includes(';Failed;')).length, 10, 'ten failed rows in the report');
    const fixed = join(dir, 'informe-corregido.csv');
    writeFileSync(fixed, report.replaceAll(';ABC;ABC USD;', ';USD;USD;'));

    await chooseFile(app, fixed);
    await waitForText(app, 'informe-corregido.csv: 500 rows');
    await press(app, 'Preview');
    assert.equal(await lineStarting(app, '10 new'), '10 new, 490 already exist, 0 with errors');
    await press(app, 'Import 10 organizations');
    assert.equal(await lineStarting(app, '10 created'), '10 created, 0 updated, 490 skipped, 0 failed');
    assertEachOnce(await countByName(ctx.sandbox, 'Importada'), 500);
  });
});

test('an import killed halfway, with the sandbox throttling and slow, completes on a second run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oas-e2e-import-'));
  const faults = join(dir, 'faults.json');
  writeFileSync(
    faults,
    JSON.stringify({
      rules: [
        { method: 'POST', path: '/api/organisations/', fault: 'http_429', times: 3 },
        { method: 'POST', path: '/api/organisations/', latency_ms: 60 },
      ],
    }),
  );
  await withApp('import-killed', ['--faults', faults], async (ctx) => {
    let app = ctx.app;
    const file = join(dir, 'grande.csv');
    writeFileSync(file, spreadsheet('Interrumpida', 300));

    await signInToSandbox(app, ctx.sandbox);
    await openImport(app);
    await chooseFile(app, file);
    await waitForText(app, 'grande.csv: 300 rows');
    await press(app, 'Preview');
    await lineStarting(app, '300 new');
    await press(app, 'Import 300 organizations');
    await app.waitUntil(
      async () => {
        const m = /(\d+) of 300/.exec(await screenText(app));
        return m !== null && Number(m[1]) >= 60;
      },
      { timeout: 120_000, timeoutMsg: 'the import never got a fifth of the way' },
    );

    // Killed, as by a crash or a power cut: no chance to finish the requests under way.
    const pids = execFileSync('pgrep', ['-f', '--', appBinary], { encoding: 'utf8' }).trim().split('\n').map(Number);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const before = await countByName(ctx.sandbox, 'Interrumpida');
    assert.ok(before.size > 0 && before.size < 300, `halfway: ${before.size}`);
    assertEachOnce(before, before.size);

    await ctx.app.deleteSession().catch(() => {});
    app = ctx.app = await launchApp();
    if (!(await screenText(app)).includes(`Hello, ${ctx.sandbox.demo.username}`)) {
      if ((await screenText(app)).includes('Sign in')) await signInToSandbox(app, ctx.sandbox);
    }
    await waitForText(app, `Hello, ${ctx.sandbox.demo.username}`);
    await openImport(app);
    await chooseFile(app, file);
    await waitForText(app, 'grande.csv: 300 rows');
    await press(app, 'Preview');
    const summary = /(\d+) new, (\d+) already exist, 0 with errors/.exec(await waitForText(app, ' with errors').then(() => screenText(app)));
    assert.ok(summary, 'a preview with no errors');
    const [fresh, existing] = [Number(summary[1]), Number(summary[2])];
    assert.equal(fresh + existing, 300);
    assert.ok(existing >= before.size, `${existing} already exist, ${before.size} counted after the kill`);
    await press(app, `Import ${fresh} organizations`);
    // A request under way at the kill may have been carried out after the count: the run reads
    // the account again first, so that row is skipped, not created twice.
    const line = await lineStarting(app, 'Import finished', 180_000).then(() => screenText(app));
    const m = /(\d+) created, 0 updated, (\d+) skipped, 0 failed/.exec(line);
    assert.ok(m, line);
    assert.equal(Number(m[1]) + Number(m[2]), 300);
    assertEachOnce(await countByName(ctx.sandbox, 'Interrumpida'), 300);
  });
});
