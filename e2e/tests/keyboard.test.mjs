// Keyboard only (issue 10, accessibility): sign in, create an organisation with three currencies
// and make it active with nothing but keys sent to whatever has the focus — Tab, Shift+Tab, Enter,
// Space, arrows and typing, never a click — and after every key the focus is somewhere a person
// can see: on a control, on screen, not covered, with a focus ring drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Key } from 'webdriverio';
import { withApp, waitForText, listRows } from '../harness.mjs';

/** What has the focus, named as a person reads it, and whether they can see where it is. */
async function focusNow(app) {
  return app.execute(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return { name: '(the page itself)', visible: false, why: 'nothing has the focus' };
    const clean = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
    const name =
      clean(el.getAttribute('aria-label')) ||
      clean(el.labels?.[0]?.textContent) ||
      clean(el.getAttribute('aria-labelledby')?.split(' ').map((id) => document.getElementById(id)?.textContent).join(' ')) ||
      clean(el.textContent);
    const what = { name, tag: el.tagName.toLowerCase(), role: el.getAttribute('role') ?? '', value: 'value' in el ? el.value : null };
    // WebKitGTK does not match :focus-visible on a radio moved to with the arrows: its label rings.
    const keyboardFocus = el.matches(':focus-visible') || (el.type === 'radio' && el.closest('label')?.matches(':focus-within'));
    if (!keyboardFocus) return { ...what, visible: false, why: 'it does not match :focus-visible' };
    // The ring: an outline or a box-shadow on the control (or, for a radio, on its label).
    const ringed = [el, el.closest('label')].filter(Boolean).map((e) => getComputedStyle(e));
    const ring = ringed.some((s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow && s.boxShadow !== 'none'));
    if (!ring) return { ...what, visible: false, why: 'no outline or box-shadow is drawn' };
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return { ...what, visible: false, why: 'it has no size' };
    const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(r.top + Math.min(r.height / 2, 12), 0), innerHeight - 1);
    if (r.bottom <= 0 || r.top >= innerHeight || r.right <= 0 || r.left >= innerWidth) return { ...what, visible: false, why: `it is off screen (${Math.round(r.top)}px from the top)` };
    const hit = document.elementFromPoint(x, y);
    if (hit && !el.contains(hit) && !hit.contains(el) && !(el.labels && [...el.labels].some((l) => l.contains(hit)))) {
      return { ...what, visible: false, why: `it is covered by ${hit.tagName.toLowerCase()}.${hit.className}` };
    }
    return { ...what, visible: true };
  });
}

const steps = [];

/** Asserts the focus is visible now; `step` says which key led here. */
async function assertFocusVisible(app, step) {
  const now = await focusNow(app);
  steps.push(`${step} → ${now.tag ?? ''} "${now.name}"`);
  assert.ok(now.visible, `after ${step} the focus is not visible (${now.why}): ${JSON.stringify(now)}\nsteps so far:\n${steps.slice(-12).join('\n')}`);
  return now;
}

/** Presses one key (with Shift if asked) on the focused element, then checks the focus is visible. */
async function key(app, name, { shift = false } = {}) {
  const action = app.action('key');
  if (shift) action.down(Key.Shift);
  action.down(Key[name]).up(Key[name]);
  if (shift) action.up(Key.Shift);
  await action.perform();
  return assertFocusVisible(app, shift ? `Shift+${name}` : name);
}

/** Types text into the focused element, one key at a time. */
async function type(app, text) {
  const action = app.action('key');
  for (const ch of text) action.down(ch).up(ch);
  await action.perform();
  return assertFocusVisible(app, `typing "${text}"`);
}

/**
 * Presses Tab (or Shift+Tab) until the focused element is the one `wanted` names (its accessible
 * name, exactly or by a regular expression), checking the focus is visible at every stop.
 */
async function tabTo(app, wanted, { shift = false, max = 40 } = {}) {
  const matches = (now) => (wanted instanceof RegExp ? wanted.test(now.name) : now.name === wanted);
  const now = await focusNow(app);
  if (now.visible && matches(now)) return now;
  for (let i = 0; i < max; i++) {
    const now = await key(app, 'Tab', { shift });
    if (matches(now)) return now;
  }
  assert.fail(`"${wanted}" was not reached in ${max} presses of ${shift ? 'Shift+' : ''}Tab; visited:\n${steps.slice(-max).join('\n')}`);
}

/** Presses ArrowDown in a combobox until the highlighted suggestion matches `wanted`. */
async function arrowTo(app, activeOption, wanted, max = 30) {
  for (let i = 0; i < max; i++) {
    const now = await activeOption();
    if (wanted.test(now.option ?? '')) return now;
    await key(app, 'ArrowDown');
  }
  assert.fail(`ArrowDown never reached ${wanted}: ${JSON.stringify(await activeOption())}`);
}

async function activeNames(app) {
  const rows = (await listRows(app, 'Organizations')) ?? [];
  return rows.filter((r) => r.lines.includes('Active')).map((r) => r.lines[0]);
}

test('sign in, create an organisation with three currencies and make it active, with the keyboard alone', async () => {
  await withApp('keyboard only', [], async ({ sandbox, app }) => {
    const { demo } = sandbox;
    const name = 'Keyboard Kites Ltd';

    // Sign in: the first Tab lands in the form (the language switcher comes first or last).
    await tabTo(app, 'Server');
    await type(app, sandbox.url);
    await tabTo(app, 'API key');
    await type(app, demo.apiKey);
    // Show / hide the key with Space, then hide it again with Enter.
    await tabTo(app, 'Show API key');
    await key(app, 'Space');
    assert.equal((await focusNow(app)).name, 'Hide API key', 'Space on "Show" shows the key and keeps the focus');
    await key(app, 'Enter');
    assert.equal((await focusNow(app)).name, 'Show API key');
    await tabTo(app, 'Username');
    await type(app, demo.username);
    await tabTo(app, 'Password');
    await type(app, demo.password);
    await key(app, 'Enter'); // submits the form
    await waitForText(app, `Hello, ${demo.username}`);
    // The screen changed under the focus: it goes to the new screen, not to the page itself.
    await assertFocusVisible(app, 'signing in');

    // To the organisations, through the top navigation.
    await tabTo(app, 'Organizations');
    await key(app, 'Enter');
    await waitForText(app, '8 organizations', 30_000);
    await tabTo(app, 'New organization');
    await key(app, 'Enter');
    await waitForText(app, 'New organization');
    await assertFocusVisible(app, 'opening the form');

    await tabTo(app, 'Name');
    await type(app, name);
    // Base currency: a select; typing picks the option by its first letters, arrows move.
    await tabTo(app, 'Base currency');
    await type(app, 'EUR');
    await app.waitUntil(async () => (await focusNow(app)).value === 'EUR', { timeout: 5_000, timeoutMsg: 'typing EUR in "Base currency" did not choose EUR' });
    await key(app, 'ArrowDown');
    assert.notEqual((await focusNow(app)).value, 'EUR', 'ArrowDown moves to the next currency');
    await key(app, 'ArrowUp');
    assert.equal((await focusNow(app)).value, 'EUR', 'ArrowUp comes back to EUR');

    // Currencies: the combobox. Arrows move through the suggestions, Enter picks, Escape closes.
    await tabTo(app, 'Currencies');
    await type(app, 'yen');
    const chips = () => app.execute(() => [...document.querySelectorAll('.picker__chip .picker__code')].map((c) => c.textContent));
    const activeOption = () =>
      app.execute(() => {
        const input = document.activeElement;
        const id = input.getAttribute('aria-activedescendant');
        const option = id ? document.getElementById(id) : null;
        return { expanded: input.getAttribute('aria-expanded'), option: option?.textContent.replace(/\s+/g, ' ').trim() ?? null, highlighted: option ? getComputedStyle(option).backgroundColor : null };
      });
    // "yen" is also a possible new code: "Use the code YEN" comes first, JPY (by its name) below.
    await app.waitUntil(async () => (await activeOption()).option !== null, { timeout: 5_000, timeoutMsg: 'typing "yen" offers nothing' });
    await arrowTo(app, activeOption, /^JPY/);
    await key(app, 'Enter');
    await type(app, 'dollar');
    await app.waitUntil(async () => (await activeOption()).option !== null, { timeout: 5_000, timeoutMsg: 'typing "dollar" offers nothing' });
    const usd = await arrowTo(app, activeOption, /^USD/);
    assert.notEqual(usd.highlighted, 'rgba(0, 0, 0, 0)', 'the suggestion under the arrows is highlighted');
    await key(app, 'Enter');
    // A fourth, then removed again: from its chip's remove button (Shift+Tab back to it)…
    await type(app, 'GBP');
    await arrowTo(app, activeOption, /^GBP/);
    await key(app, 'Enter');
    assert.deepEqual((await chips()).sort(), ['EUR', 'GBP', 'JPY', 'USD'], 'Enter picks the highlighted suggestion');
    await key(app, 'Escape');
    assert.equal((await activeOption()).expanded, 'false', 'Escape closes the suggestions');
    await tabTo(app, 'Remove GBP', { shift: true, max: 6 });
    await key(app, 'Enter');
    assert.equal((await focusNow(app)).name, 'Currencies', 'removing a currency returns the focus to the search');
    assert.deepEqual((await chips()).sort(), ['EUR', 'JPY', 'USD'], 'three currencies chosen, GBP removed');
    // …and Backspace in the empty search removes the last one that is not the base: put it back.
    await key(app, 'Backspace');
    assert.deepEqual((await chips()).sort(), ['EUR', 'JPY']);
    await type(app, 'USD');
    await key(app, 'Enter');
    assert.deepEqual((await chips()).sort(), ['EUR', 'JPY', 'USD']);

    // Save with Enter on the Save button.
    await tabTo(app, 'Save');
    await key(app, 'Enter');
    await waitForText(app, `Saved “${name}”.`);
    await assertFocusVisible(app, 'saving (the form closed)');

    // Find it with the search field and make it active.
    await tabTo(app, 'Search organizations');
    await type(app, 'kites');
    await waitForText(app, '1 of 9 shown');
    await tabTo(app, `Make active: ${name}`);
    await key(app, 'Enter');
    await waitForText(app, `Organisation "${name}" is now active.`);
    await app.waitUntil(async () => (await activeNames(app)).join() === name, { timeout: 10_000, timeoutMsg: `"${name}" is not marked active` });
    // The button is gone (the row now says "Active"): the focus stays in the row.
    const after = await assertFocusVisible(app, 'making it active');
    assert.equal(after.name, `Edit: ${name}`, 'the focus stays on the row, on its Edit button');

    // Back through the row and the toolbar with Shift+Tab: everything on the way shows its focus.
    await tabTo(app, 'Search organizations', { shift: true, max: 10 });
    await tabTo(app, 'New organization', { shift: true, max: 10 });

    // The user menu: Enter opens it on its first item; choosing a screen hands the focus back to
    // the menu button. Then the theme, a radio group: Tab enters it, the arrows choose.
    await tabTo(app, `Account menu: ${demo.username}`, { shift: true, max: 10 });
    await key(app, 'Enter');
    assert.equal((await focusNow(app)).name, 'Account', 'the menu opens on its first item');
    await key(app, 'Enter');
    await waitForText(app, 'Edit personal information');
    assert.equal((await assertFocusVisible(app, 'choosing Account')).name, `Account menu: ${demo.username}`);
    await tabTo(app, 'Same as the system', { max: 40 });
    await key(app, 'ArrowRight');
    await key(app, 'ArrowRight');
    await app.waitUntil(() => app.execute(() => document.documentElement.dataset.theme === 'dark'), { timeout: 5_000, timeoutMsg: 'the arrows did not choose the dark theme' });
    assert.equal((await assertFocusVisible(app, 'choosing Dark')).name, 'Dark');
  });
});
