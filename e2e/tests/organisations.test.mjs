// Organisations and currencies (issue 5), as a person uses them: create, edit, contacts, make
// active, search, relaunch; server validation errors; drafts across restarts; 10,000 rows; and
// the same main flow against the sandbox's --strict and --currencies-as string modes.
//
// Every test gets its own sandbox and its own tauri-driver (so its own app data folder): what
// one test leaves remembered (session, draft, active organisation) cannot leak into the next.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import {
  fill,
  valueOf,
  field,
  button,
  press,
  hasButton,
  choose,
  pick,
  descriptionOf,
  listRows,
  scrollList,
  screenText,
  waitForText,
  sandboxBinary,
  signInToSandbox,
  withApp,
  draftKept,
  draftsRead,
  relaunch,
} from '../harness.mjs';

const LIST = 'Organizations';

const signIn = signInToSandbox;

/**
 * Top navigation → "Organizations", then waits for the total count and for the listing to be
 * complete (rows are shown as they stream in; the listing's end has the final word on them).
 */
async function openOrganisations(app, count) {
  await press(app, 'Organizations');
  await waitForText(app, `${count.toLocaleString('en-US')} organizations`, 60_000);
  await app.waitUntil(() => app.execute(() => document.documentElement.dataset.organisations), {
    timeout: 60_000,
    timeoutMsg: 'the listing did not complete',
  });
}

async function rows(app) {
  return (await listRows(app, LIST)) ?? [];
}

async function rowNamed(app, name) {
  return (await rows(app)).find((r) => r.lines[0] === name);
}

/** Names of the rows that carry the "Active" badge (a line that reads exactly "Active"). */
async function activeNames(app) {
  return (await rows(app)).filter((r) => r.lines.includes('Active')).map((r) => r.lines[0]);
}

async function waitForRows(app, predicate, message) {
  await app
    .waitUntil(async () => predicate(await rows(app)), { timeout: 15_000, timeoutMsg: message })
    .catch(async (error) => {
      error.message += `; rows: ${JSON.stringify(await rows(app))}`;
      throw error;
    });
}

/** The main flow of issue 5, for one sandbox mode. */
function mainFlow({ title, sandboxArgs, contacts, serverReportsActive }) {
  test(title, async () => {
    await withApp(title, sandboxArgs, async (ctx) => {
      const { sandbox } = ctx;
      let app = ctx.app;
      const name = 'Zephyr Logistics e2e';
      const renamed = 'Zephyr Logistics Renamed';

      await signIn(app, sandbox);
      await openOrganisations(app, 8);
      if (serverReportsActive) assert.deepEqual(await activeNames(app), ['Northwind Traders']);
      else assert.deepEqual(await activeNames(app), []);

      // Create: three currencies from the picker, then the base currency among them.
      await press(app, 'New organization');
      await waitForText(app, 'New organization');
      await fill(app, 'Name', name);
      await pick(app, 'Currencies', 'EUR');
      await pick(app, 'Currencies', 'yen', 'JPY');
      await pick(app, 'Currencies', 'USD');
      await choose(app, 'Base currency', 'EUR');
      // An impatient double click must not create it twice.
      await (await button(app, 'Save')).doubleClick();
      await waitForText(app, `Saved “${name}”.`);
      await openOrganisationsCount(app, 9);
      await press(app, 'Refresh');
      await openOrganisationsCount(app, 9);
      await waitForRows(app, (r) => r.filter((x) => x.lines[0] === name).length === 1, `"${name}" is not in the list exactly once`);
      await choose(app, 'Sort by', 'Newest first');
      await waitForRows(app, (r) => r[0]?.lines[0] === name, 'the newest organisation comes first');
      await choose(app, 'Sort by', 'Name');
      await waitForRows(app, (r) => r.some((x) => x.lines[0] === name), `"${name}" is not in the list`);
      const created = await rowNamed(app, name);
      assert.match(created.lines.join(' '), /\bBase\b.*\bEUR\b/i, 'the base currency is shown');
      for (const code of ['JPY', 'USD']) assert.ok(created.lines.includes(code), `${code} shown: ${created.lines}`);

      // Edit its name, and add a contact where the server keeps contacts.
      await press(app, `Edit: ${name}`);
      await waitForText(app, 'Edit organization');
      assert.equal(await valueOf(app, 'Name'), name);
      await fill(app, 'Name', renamed);
      if (contacts) {
        await press(app, 'Add contact');
        await fill(app, 'Contact name', 'Ada Lovelace');
        await fill(app, 'Contact email', 'ada@example.com');
        await fill(app, 'Contact phone', '+44 20 7946 0000');
        await fill(app, 'Contact role', 'Treasurer');
      } else {
        assert.equal(await hasButton(app, 'Add contact'), false, 'no "Add contact" when the server has no contacts');
        assert.ok(!(await screenText(app)).includes('Contacts'), 'no contacts section when the server has no contacts');
      }
      await press(app, 'Save');
      await waitForText(app, `Saved “${renamed}”.`);
      await waitForRows(app, (r) => r.some((x) => x.lines[0] === renamed) && !r.some((x) => x.lines[0] === name), 'the new name is not in the list');

      // Make it active: the server's message, and the badge moves.
      await press(app, `Make active: ${renamed}`);
      await waitForText(app, `Organisation "${renamed}" is now active.`);
      await waitForRows(app, async () => (await activeNames(app)).join() === renamed, `the "Active" badge did not move to "${renamed}"`);

      // Search finds it, by name and by currency.
      await fill(app, 'Search organizations', 'zephyr');
      await waitForText(app, '1 of 9 shown');
      assert.deepEqual((await rows(app)).map((r) => r.lines[0]), [renamed]);
      await fill(app, 'Search organizations', 'JPY');
      await waitForRows(app, (r) => r.length === 2, 'searching JPY should show the two JPY organisations');
      assert.deepEqual((await rows(app)).map((r) => r.lines[0]).sort(), ['Kōbe Sound Works', renamed].sort());

      // Relaunch: the session comes back from the keychain, and everything is still there.
      app = await relaunch(ctx);
      await waitForText(app, `Hello, ${sandbox.demo.username}`);
      await openOrganisations(app, 9);
      await waitForRows(app, (r) => r.some((x) => x.lines[0] === renamed), `"${renamed}" is gone after a relaunch`);
      assert.deepEqual(await activeNames(app), [renamed], 'the active organisation is remembered after a relaunch');
      const kept = await rowNamed(app, renamed);
      assert.match(kept.lines.join(' '), /\bBase\b.*\bEUR\b/i, 'the base currency is kept');
      for (const code of ['JPY', 'USD']) assert.ok(kept.lines.includes(code), `${code} kept: ${kept.lines}`);
      await press(app, `Edit: ${renamed}`);
      await waitForText(app, 'Edit organization');
      assert.equal(await valueOf(app, 'Name'), renamed);
      assert.equal(await valueOf(app, 'Base currency'), 'EUR');
      assert.deepEqual((await selectedCurrencies(app)).sort(), ['EUR', 'JPY', 'USD']);
      if (contacts) {
        assert.equal(await valueOf(app, 'Contact name'), 'Ada Lovelace');
        assert.equal(await valueOf(app, 'Contact email'), 'ada@example.com');
        assert.equal(await valueOf(app, 'Contact phone'), '+44 20 7946 0000');
        assert.equal(await valueOf(app, 'Contact role'), 'Treasurer');
      } else {
        assert.equal(await hasButton(app, 'Add contact'), false);
      }
      await press(app, 'Cancel');
      await openOrganisationsCount(app, 9);
    });
  });
}

/** The codes in the currency picker's "Selected currencies" list (each chip starts with its code). */
async function selectedCurrencies(app) {
  return ((await listRows(app, 'Selected currencies')) ?? []).map((r) => r.lines[0]);
}

async function openOrganisationsCount(app, count) {
  await waitForText(app, `${count.toLocaleString('en-US')} organizations`);
}

mainFlow({ title: 'main flow: create, edit, contact, make active, search, relaunch', sandboxArgs: [], contacts: true, serverReportsActive: true });

test('a server validation error shows next to its field and keeps what was typed', async () => {
  await withApp('validation', [], async ({ sandbox, app }) => {
    await signIn(app, sandbox);
    await openOrganisations(app, 8);
    await press(app, 'New organization');
    await fill(app, 'Name', 'Unknown Money Ltd');
    await pick(app, 'Currencies', 'XXX', 'Use the code XXX');
    await pick(app, 'Currencies', 'GBP');
    await choose(app, 'Base currency', 'GBP');
    await press(app, 'Save');
    await waitForText(app, '"XXX" is not a valid choice.');
    assert.match(await descriptionOf(app, 'Currencies'), /"XXX" is not a valid choice\./, 'the error is on the Currencies field');
    assert.doesNotMatch(await descriptionOf(app, 'Name'), /not a valid choice/);
    assert.equal(await valueOf(app, 'Name'), 'Unknown Money Ltd');
    assert.equal(await valueOf(app, 'Base currency'), 'GBP');
    assert.deepEqual((await selectedCurrencies(app)).sort(), ['GBP', 'XXX'], 'the currencies typed are kept');
    // Nothing was created; fixed, Enter held down in a field saves it exactly once.
    await press(app, 'Remove XXX');
    await (await field(app, 'Name')).click();
    await app.keys(['Enter', 'Enter', 'Enter', 'Enter']);
    await waitForText(app, 'Saved “Unknown Money Ltd”.');
    await openOrganisationsCount(app, 9);
    await press(app, 'Refresh');
    await openOrganisationsCount(app, 9);
    assert.equal((await rows(app)).filter((r) => r.lines[0] === 'Unknown Money Ltd').length, 1);
  });
});

test('an unsaved draft survives a relaunch, is restored, and can be discarded', async () => {
  await withApp('draft', [], async (ctx) => {
    let app = ctx.app;
    await signIn(app, ctx.sandbox);
    await openOrganisations(app, 8);
    await press(app, 'New organization');
    await fill(app, 'Name', 'Half-typed Holdings');
    await pick(app, 'Currencies', 'CHF');
    await draftKept(app);

    app = await relaunch(ctx);
    await waitForText(app, `Hello, ${ctx.sandbox.demo.username}`);
    await openOrganisations(app, 8);
    await waitForText(app, 'You have an unsaved draft: “Half-typed Holdings”.');
    await press(app, 'Continue editing');
    await waitForText(app, 'Your unsaved draft was restored.');
    assert.equal(await valueOf(app, 'Name'), 'Half-typed Holdings');
    assert.deepEqual(await selectedCurrencies(app), ['CHF'], 'the currencies are restored');

    await press(app, 'Discard draft');
    await openOrganisationsCount(app, 8);
    assert.ok(!(await screenText(app)).includes('You have an unsaved draft'));

    app = await relaunch(ctx);
    await waitForText(app, `Hello, ${ctx.sandbox.demo.username}`);
    await openOrganisations(app, 8);
    await draftsRead(app);
    assert.ok(!(await screenText(app)).includes('You have an unsaved draft'), 'a discarded draft does not come back');
    await press(app, 'New organization');
    assert.equal(await valueOf(app, 'Name'), '');
    await press(app, 'Cancel');

    // A draft of changes to an existing organisation is marked in the list, comes back as an
    // edit of that organisation, and can be discarded there.
    await openOrganisationsCount(app, 8);
    await press(app, 'Edit: Northwind Traders');
    await fill(app, 'Name', 'Northwind Traders Renamed');
    await draftKept(app);
    app = await relaunch(ctx);
    await waitForText(app, `Hello, ${ctx.sandbox.demo.username}`);
    await openOrganisations(app, 8);
    await waitForRows(app, (r) => r.some((x) => x.lines[0] === 'Northwind Traders' && x.lines.includes('Draft')), 'the draft is marked in the list');
    await press(app, 'Edit: Northwind Traders');
    await waitForText(app, 'Your unsaved draft was restored.');
    assert.equal(await valueOf(app, 'Name'), 'Northwind Traders Renamed');
    await press(app, 'Discard draft');
    await waitForRows(app, (r) => r.some((x) => x.lines[0] === 'Northwind Traders' && !x.lines.includes('Draft')), 'the organisation keeps its saved name, unmarked');
    app = await relaunch(ctx);
    await waitForText(app, `Hello, ${ctx.sandbox.demo.username}`);
    await openOrganisations(app, 8);
    await draftsRead(app);
    assert.ok(!(await rowNamed(app, 'Northwind Traders')).lines.includes('Draft'), 'a discarded draft does not come back');
    await press(app, 'Edit: Northwind Traders');
    assert.equal(await valueOf(app, 'Name'), 'Northwind Traders');
  });
});

test('on a slow network the Active badge shows with its row while the rest is still loading', async () => {
  // 30 ms before every answer: 10,008 organisations take a couple of seconds to come in.
  await withApp('badge-while-loading', ['--latency-ms', '30'], async ({ sandbox, app }) => {
    await promisify(execFile)(sandboxBinary, ['seed-orgs', '--db', join(sandbox.dir, 'oas.db'), '--username', 'demo', '--count', '10000']);
    await signIn(app, sandbox);
    await press(app, 'Organizations');
    await app.waitUntil(
      async () => {
        const loading = await app.execute(() => document.getElementById('orgs-progress') !== null);
        return loading && (await activeNames(app)).join() === 'Northwind Traders';
      },
      { timeout: 30_000, interval: 100, timeoutMsg: 'the Active badge was not on its row while the list was loading' },
    );
    await waitForText(app, '10,008 organizations', 60_000);
  });
});

test('a 10,000-organisation account loads, scrolls and searches', async () => {
  await withApp('ten-thousand', [], async ({ sandbox, app }) => {
    const started = Date.now();
    await promisify(execFile)(sandboxBinary, ['seed-orgs', '--db', join(sandbox.dir, 'oas.db'), '--username', 'demo', '--count', '10000']);
    const seeded = Date.now();
    await signIn(app, sandbox);
    await openOrganisations(app, 10_008);
    const loaded = Date.now();
    console.log(`# seeded in ${seeded - started} ms; signed in and loaded 10,008 in ${loaded - seeded} ms`);

    const top = await rows(app);
    assert.ok(top.length > 0 && top.length < 100, `a virtualised list renders a window of rows, not ${top.length}`);
    assert.equal(top[0].position, 1);
    assert.equal(top[0].of, 10_008);

    await scrollList(app, LIST, 'end');
    await waitForRows(app, (r) => r.length > 0 && r[r.length - 1].position === 10_008, 'scrolling to the end shows the last row');
    const last = (await rows(app)).at(-1).lines[0];
    assert.ok(last, 'the last row has a name');
    await scrollList(app, LIST, 72 * 5000);
    await waitForRows(app, (r) => r.some((x) => x.position === 5001), 'scrolling to the middle shows row 5,001');

    await fill(app, 'Search organizations', 'Seed Organisation 0999');
    await waitForText(app, '11 of 10,008 shown'); // 00999 and 09990–09999
    const found = await rows(app);
    assert.equal(found.length, 11);
    assert.ok(found.every((r) => /^Seed Organisation \d*0999\d*$/.test(r.lines[0])), JSON.stringify(found.map((r) => r.lines[0])));
    await fill(app, 'Search organizations', '09999');
    await waitForText(app, '1 of 10,008 shown');
    assert.deepEqual((await rows(app)).map((r) => r.lines[0]), ['Seed Organisation 09999']);
    await fill(app, 'Search organizations', 'Northwind');
    await waitForText(app, '1 of 10,008 shown');
    assert.deepEqual((await rows(app)).map((r) => r.lines[0]), ['Northwind Traders']);
  });
});

mainFlow({ title: 'main flow against --strict (no is_active, no contacts)', sandboxArgs: ['--strict'], contacts: false, serverReportsActive: false });
mainFlow({ title: 'main flow against --currencies-as string', sandboxArgs: ['--currencies-as', 'string'], contacts: true, serverReportsActive: true });
