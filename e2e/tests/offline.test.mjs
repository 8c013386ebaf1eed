// Offline (issue 10): the server goes away while a person is working. The app says so in a banner
// that counts down to its next try, keeps the organisations it loaded readable with the time they
// were loaded, and disables what needs the server with the reason shown; the banner and the list
// follow a switch of language and theme; when the server is back (same port, same database) the
// banner goes by itself and the list is loaded afresh — nobody presses anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withApp, signInToSandbox, press, waitForText, listRows, restartSandbox, sandboxAdmin, screenText, field, launchApp, valueOf, button } from '../harness.mjs';

const LIST = 'Organizations';

async function rowNames(app, label = LIST) {
  return ((await listRows(app, label)) ?? []).map((r) => r.lines[0]);
}

/** The banner's text (role=status, holding "Retry now"), or null when there is none. */
async function offlineBanner(app) {
  return app.execute(() => {
    const banner = [...document.querySelectorAll('[role=status]')].find((el) => [...el.querySelectorAll('button')].some((b) => /Retry now|Reintentar ahora/.test(b.textContent)));
    return banner ? banner.innerText.replace(/\s+/g, ' ').trim() : null;
  });
}

/** Whether a button is disabled, and the text that says why (its aria-describedby). */
async function disabledWhy(app, name) {
  return app.execute((wanted) => {
    const b = [...document.querySelectorAll('button')].find((x) => (x.getAttribute('aria-label') ?? x.textContent).replace(/\s+/g, ' ').trim() === wanted);
    if (!b) return null;
    const why = (b.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean).map((id) => document.getElementById(id)?.innerText ?? '').join(' ');
    const visible = (b.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean).every((id) => document.getElementById(id)?.getClientRects().length > 0);
    return { disabled: b.disabled, why, visible };
  }, name);
}

test('server gone: banner with countdown, the last list readable with its time, actions disabled with the reason; back by itself', async () => {
  await withApp('offline', [], async ({ sandbox, app }) => {
    await signInToSandbox(app, sandbox);
    await press(app, 'Organizations');
    await waitForText(app, '8 organizations', 30_000);
    const before = await rowNames(app);
    assert.equal(before.length, 8);
    assert.equal(await offlineBanner(app), null, 'no banner while the server answers');

    // The server's process dies; meanwhile another admin's organisation lands in its database.
    const exited = new Promise((r) => sandbox.child.once('exit', r));
    sandbox.child.kill('SIGKILL');
    await exited;
    sandboxAdmin(sandbox, 'seed-orgs', ['--username', sandbox.demo.username, '--count', '1']);

    await press(app, 'Refresh');
    await app.waitUntil(async () => (await offlineBanner(app)) !== null, { timeout: 30_000, timeoutMsg: 'no offline banner after Refresh with the server gone' });
    const banner = await offlineBanner(app);
    const host = sandbox.url.replace(/\/$/, '');
    assert.match(banner, new RegExp(`Can't reach ${host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\. (Retrying in \\d+ s…|Trying again…)`));
    assert.match(banner, /The organizations shown were loaded at \d{1,2}:\d{2}/);
    assert.deepEqual(await rowNames(app), before, 'the last loaded list stays readable');
    assert.ok(!(await screenText(app)).includes('could not load'), 'no second, contradicting error');

    // What needs the server is disabled, and says why in visible text.
    for (const name of ['Refresh', `Make active: ${before.find((n) => n !== 'Northwind Traders')}`]) {
      const state = await disabledWhy(app, name);
      assert.equal(state?.disabled, true, `"${name}" is disabled offline`);
      assert.match(state.why, /need the server/, `"${name}" says why`);
      assert.ok(state.visible, `the reason for "${name}" is on screen`);
    }
    // A form still opens (what is typed is kept as a draft); only Save waits for the server.
    await press(app, `Edit: ${before[0]}`);
    await waitForText(app, 'Edit organization');
    const save = await disabledWhy(app, 'Save');
    assert.equal(save.disabled, true, 'Save is disabled offline');
    assert.match(save.why, /need the server/);
    await press(app, 'Cancel');
    await waitForText(app, '8 organizations');

    // The banner and the list follow the language…
    await (await app.$('.topbar select')).selectByAttribute('value', 'es');
    await app.waitUntil(async () => /^No se puede conectar con /.test((await offlineBanner(app)) ?? ''), { timeout: 5_000, timeoutMsg: 'the banner did not switch to Spanish' });
    assert.match(await offlineBanner(app), /Las organizaciones que ves se cargaron a las \d{1,2}:\d{2}/);
    assert.deepEqual(await rowNames(app, 'Organizaciones'), before, 'the list is still there in Spanish');
    const reason = await disabledWhy(app, 'Actualizar');
    assert.equal(reason?.disabled, true);
    assert.match(reason.why, /necesitan el servidor/);
    // …and the theme (chosen on the Account screen; the banner is on every screen).
    await press(app, `Menú de la cuenta: ${sandbox.demo.username}`);
    await press(app, 'Cuenta');
    await (await field(app, 'Oscuro')).click();
    await app.waitUntil(() => app.execute(() => document.documentElement.dataset.theme === 'dark'), { timeout: 5_000, timeoutMsg: 'the dark theme did not apply' });
    assert.match((await offlineBanner(app)) ?? '', /^No se puede conectar/, 'the banner stays on the Account screen');
    const colours = await app.execute(() => {
      const banner = [...document.querySelectorAll('[role=status]')].find((el) => el.querySelector('button'));
      const style = getComputedStyle(banner);
      return { background: style.backgroundColor, text: getComputedStyle(banner.querySelector('p')).color };
    });
    assert.notEqual(colours.background, 'rgb(255, 246, 224)', `the banner follows the dark theme: ${JSON.stringify(colours)}`);
    await (await app.$('.topbar select')).selectByAttribute('value', 'en');
    await press(app, 'Organizations');
    await waitForText(app, '8 organizations');

    // The server comes back on the same port with the same database: the banner goes without
    // anyone pressing anything, and the list is loaded again (the organisation added meanwhile).
    await restartSandbox(sandbox);
    await app.waitUntil(async () => (await offlineBanner(app)) === null, { timeout: 60_000, timeoutMsg: 'the banner did not go once the server was back' });
    await waitForText(app, '9 organizations', 30_000);
    assert.equal((await disabledWhy(app, 'Refresh'))?.disabled, false, 'Refresh works again');
  });
});

test('the app opens while the server is down: the sign-in screen says so, keeps the details, and Try again signs in once it is back', async () => {
  await withApp('offline-start', [], async (ctx) => {
    const { sandbox } = ctx;
    await signInToSandbox(ctx.app, sandbox);
    await ctx.app.deleteSession();

    // The session is restored while the window loads: here that first try finds no server.
    const exited = new Promise((r) => sandbox.child.once('exit', r));
    sandbox.child.kill('SIGKILL');
    await exited;
    ctx.app = await launchApp();
    const app = ctx.app;
    await waitForText(app, 'We could not restore your session.', 30_000);
    await waitForText(app, 'We could not reach this server.');
    assert.equal(await valueOf(app, 'Username'), sandbox.demo.username, 'the remembered details stay in the form');
    assert.ok(!(await screenText(app)).includes(`Hello, ${sandbox.demo.username}`));

    // Still down: Try again says so again, nothing is forgotten.
    await press(app, 'Try again');
    await waitForText(app, 'We could not restore your session.');
    await button(app, 'Try again');

    // Back (same port, same database): Try again restores the kept session, no password asked.
    await restartSandbox(sandbox);
    await press(app, 'Try again');
    await waitForText(app, `Hello, ${sandbox.demo.username}`, 30_000);
  });
});
