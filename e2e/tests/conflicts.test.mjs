// Two admins on one organisation (issue 9, "Never overwrite another admin's work"): the app has
// an organisation open for edit while "another admin" — this test, with node's fetch against the
// sandbox's HTTP API and the same demo account — changes it. The app must show a conflict where
// both changed the same field, let the person choose, and keep every change of the other admin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import {
  fill,
  press,
  screenText,
  waitForText,
  signInToSandbox,
  sandboxBinary,
  valueOf,
  withApp,
} from '../harness.mjs';

/** The other admin: the same demo account, straight at the sandbox's HTTP API. */
async function otherAdmin(sandbox) {
  const { username, email, password, apiKey } = sandbox.demo;
  const login = await fetch(`${sandbox.url}/api/auth/login/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, email, password }),
  });
  assert.equal(login.status, 200, 'the other admin signs in');
  const { access } = await login.json();
  const headers = { 'X-Api-Key': apiKey, Authorization: `Bearer ${access}`, 'Content-Type': 'application/json' };
  const call = async (method, path, body) => {
    const res = await fetch(`${sandbox.url}/api/${path}`, { method, headers, body: body && JSON.stringify(body) });
    assert.ok(res.ok, `${method} ${path}: ${res.status}`);
    return res.json();
  };
  return {
    async find(name) {
      const page = await call('GET', 'organisations/');
      const org = page.results.find((o) => o.name === name);
      assert.ok(org, `${name} exists`);
      return org;
    },
    read: (id) => call('GET', `organisations/${id}/`),
    patch: (id, body) => call('PATCH', `organisations/${id}/`, body),
  };
}

const currencies = (org) => (Array.isArray(org.currencies) ? org.currencies : String(org.currencies).split(',')).map((c) => c.trim());

async function openForEdit(app, name) {
  await press(app, 'Organizations');
  await waitForText(app, '8 organizations', 60_000);
  await press(app, `Edit: ${name}`);
  await waitForText(app, 'Edit organization');
}

/** Picks "Keep mine" or "Take theirs" for one field of the conflict view, as a person clicks it. */
async function chooseVersion(app, field, choice) {
  const option = await app.$(`//fieldset[legend[normalize-space()="${field}"]]//label[contains(., "${choice}")]`);
  await option.waitForDisplayed({ timeout: 15_000 });
  await option.click();
  await app.waitUntil(() => option.$('input').isSelected(), { timeout: 10_000, timeoutMsg: `${choice} was not chosen` });
}

test('both changed the name: the person sees both, keeps theirs or mine, and the other currency change survives', async () => {
  await withApp('conflict-name', [], async ({ sandbox, app }) => {
    const other = await otherAdmin(sandbox);
    await signInToSandbox(app, sandbox);
    await openForEdit(app, 'Northwind Traders');

    // Meanwhile, the other admin renames it and adds a currency.
    const opened = await other.find('Northwind Traders');
    await other.patch(opened.id, { name: 'Northwind (theirs)', currencies: [...currencies(opened), 'CHF'] });

    await fill(app, 'Name', 'Northwind (mine)');
    await press(app, 'Save');
    await waitForText(app, 'Someone else changed this organization', 30_000);
    const text = await screenText(app);
    assert.ok(text.includes('Northwind (mine)') && text.includes('Northwind (theirs)'), 'both names are shown');
    assert.ok(text.includes('Their changes to other fields are already in the form: Currencies.'), text);
    // Nothing was sent yet.
    assert.equal((await other.read(opened.id)).name, 'Northwind (theirs)');

    await chooseVersion(app, 'Name', 'Keep mine');
    await press(app, 'Save with these choices');
    await waitForText(app, 'Saved “Northwind (mine)”.', 30_000);
    const after = await other.read(opened.id);
    assert.equal(after.name, 'Northwind (mine)');
    assert.deepEqual(currencies(after).sort(), ['CHF', 'EUR', 'GBP', 'USD'], 'the other admin\'s currency is kept');

    // Once more, taking theirs this time.
    await openForEdit(app, 'Northwind (mine)');
    await other.patch(opened.id, { name: 'Northwind (theirs again)' });
    await fill(app, 'Name', 'Northwind (mine again)');
    await press(app, 'Save');
    await waitForText(app, 'Someone else changed this organization', 30_000);
    await chooseVersion(app, 'Name', 'Take theirs');
    await press(app, 'Save with these choices');
    await waitForText(app, 'Saved “Northwind (theirs again)”.', 30_000);
    const final = await other.read(opened.id);
    assert.equal(final.name, 'Northwind (theirs again)');
    assert.deepEqual(currencies(final).sort(), ['CHF', 'EUR', 'GBP', 'USD']);
  });
});

test('the other admin changed a field the person did not touch: saved without a dialog, their change kept', async () => {
  await withApp('conflict-free', [], async ({ sandbox, app }) => {
    const other = await otherAdmin(sandbox);
    await signInToSandbox(app, sandbox);
    await openForEdit(app, 'Kōbe Sound Works');

    const opened = await other.find('Kōbe Sound Works');
    await other.patch(opened.id, { currencies: [...currencies(opened), 'EUR'], image: 'https://example.com/kobe.png' });

    await fill(app, 'Name', 'Kōbe Sound Works KK');
    await press(app, 'Save');
    await waitForText(app, 'Saved “Kōbe Sound Works KK”.', 30_000);
    assert.ok(!(await screenText(app)).includes('Someone else changed this organization'));
    const after = await other.read(opened.id);
    assert.equal(after.name, 'Kōbe Sound Works KK');
    assert.deepEqual(currencies(after).sort(), ['EUR', 'JPY', 'USD']);
    assert.equal(after.image, 'https://example.com/kobe.png');
  });
});

test('the organisation is deleted on the server while open: a plain message, nothing typed lost, created again on request', async () => {
  await withApp('conflict-deleted', [], async ({ sandbox, app }) => {
    const other = await otherAdmin(sandbox);
    await signInToSandbox(app, sandbox);
    await openForEdit(app, 'Alpine Audio AG');
    const opened = await other.find('Alpine Audio AG');
    await promisify(execFile)(sandboxBinary, ['delete-org', '--db', join(sandbox.dir, 'oas.db'), '--id', String(opened.id)]);

    await fill(app, 'Name', 'Alpine Audio GmbH');
    await press(app, 'Save');
    await waitForText(app, 'This organization was deleted on the server while you were editing it.', 30_000);
    assert.equal(await valueOf(app, 'Name'), 'Alpine Audio GmbH', 'what was typed is still there');

    await press(app, 'Create it again as a new organization');
    await waitForText(app, 'Saved “Alpine Audio GmbH”.', 30_000);
    const created = await other.find('Alpine Audio GmbH');
    assert.notEqual(created.id, opened.id);
    assert.equal(created.base_currency, 'CHF');
    assert.deepEqual(currencies(created).sort(), ['CHF', 'EUR']);
  });
});
