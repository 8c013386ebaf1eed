// Nothing typed or stored is lost (issue 9): one draft per organisation across a relaunch, and a
// settings file that cannot be read is kept aside and the person is told.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  launchApp,
  fill,
  valueOf,
  button,
  press,
  listRows,
  waitForText,
  signInToSandbox,
  withApp,
  relaunch,
} from '../harness.mjs';

const LIST = 'Organizations';

async function rows(app) {
  return (await listRows(app, LIST)) ?? [];
}

async function openOrganisations(app) {
  await press(app, 'Organizations');
  await app.waitUntil(async () => (await rows(app)).length > 1, { timeout: 60_000, timeoutMsg: 'no organisations listed' });
}

/** Waits until exactly these rows carry the "Draft" badge. */
async function waitForDraftBadges(app, names) {
  const marked = async () => (await rows(app)).filter((r) => r.lines.includes('Draft')).map((r) => r.lines[0]).sort();
  await app
    .waitUntil(async () => JSON.stringify(await marked()) === JSON.stringify([...names].sort()), { timeout: 20_000 })
    .catch(async (error) => {
      error.message += `; rows with a draft: ${JSON.stringify(await marked())}`;
      throw error;
    });
}

test('two organisations keep their own drafts across a relaunch', async () => {
  await withApp('two-drafts', [], async (ctx) => {
    let app = ctx.app;
    await signInToSandbox(app, ctx.sandbox);
    await openOrganisations(app);
    const [a, b] = (await rows(app)).map((r) => r.lines[0]);

    await press(app, `Edit: ${a}`);
    await fill(app, 'Name', `${a} (draft A)`);
    await press(app, 'Cancel');
    await waitForDraftBadges(app, [a]);
    await press(app, `Edit: ${b}`);
    await fill(app, 'Name', `${b} (draft B)`);
    await press(app, 'Cancel');
    await waitForDraftBadges(app, [a, b]);
    // Cancel showed B's badge at once and wrote its draft as the form closed: the relaunch (the
    // driver ends the app with a signal) waits until that write is on disk, as a person's would.
    const draftsFile = join(ctx.driver.home, 'data', 'me.ottomate.oas.desktop', 'drafts.json');
    await app.waitUntil(async () => {
      const written = existsSync(draftsFile) ? readFileSync(draftsFile, 'utf8') : '';
      return written.includes(`${a} (draft A)`) && written.includes(`${b} (draft B)`);
    }, { timeout: 10_000, timeoutMsg: 'the two drafts never reached drafts.json' });

    app = await relaunch(ctx);
    await waitForText(app, `Hello, ${ctx.sandbox.demo.username}`);
    await openOrganisations(app);
    await waitForDraftBadges(app, [a, b]);
    await press(app, `Edit: ${a}`);
    await waitForText(app, 'Your unsaved draft was restored.');
    assert.equal(await valueOf(app, 'Name'), `${a} (draft A)`);
    await press(app, 'Cancel');
    await press(app, `Edit: ${b}`);
    await waitForText(app, 'Your unsaved draft was restored.');
    assert.equal(await valueOf(app, 'Name'), `${b} (draft B)`);

    // Discarding B's draft leaves A's.
    await press(app, 'Discard draft');
    await waitForDraftBadges(app, [a]);
  });
});

test('a settings file that cannot be read is kept aside and the person is told', async () => {
  await withApp('corrupt-settings', [], async (ctx) => {
    let app = ctx.app;
    await signInToSandbox(app, ctx.sandbox);
    await app.deleteSession();
    const dir = join(ctx.driver.home, 'data', 'me.ottomate.oas.desktop');
    const torn = '{"remembered": {"server": "http://127.0.0.1:8';
    writeFileSync(join(dir, 'settings.json'), torn);

    app = ctx.app = await launchApp();
    await waitForText(app, 'settings.json could not be read');
    const kept = readdirSync(dir).filter((f) => f.startsWith('settings.json.corrupt-'));
    assert.equal(kept.length, 1, `kept aside: ${readdirSync(dir)}`);
    assert.equal(readFileSync(join(dir, kept[0]), 'utf8'), torn, 'nothing in it was deleted');
    await button(app, 'Sign in');
    await press(app, 'Dismiss');

    app = await relaunch(ctx);
    await button(app, 'Sign in');
    assert.ok(!(await app.execute(() => document.body.innerText)).includes('could not be read'), 'told once');
  });
});
