// The rows floor's page (src/rows.rs; bench/rows_floor.mjs times it): "Organizations" lists the
// account in one command, sorts every row by name with the app's collation
// (ui/src/lib/organisations.ts: ties by id) and shows the first of them, as many as the app's list
// builds, in a plain table. The marks are the app's (ui/src/lib/session.svelte.ts, its
// Organisations screen): the click, then the animation frame after the rows are in the page; and
// between them, when the rows were in the page's hands and when they were sorted.
const invoke = window.__TAURI_INTERNALS__.invoke;
const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
const byName = (a, b) => collator.compare(a.name, b.name) || a.id - b.id;
/** Rows the app's list builds on this window: the visible ones and its overscan. */
const SHOWN = 16;

document.getElementById('open').addEventListener('click', async () => {
  performance.mark('oas:organisations-open');
  const rows = await invoke('rows_list');
  performance.mark('oas:rows-received');
  rows.sort(byName);
  performance.mark('oas:rows-sorted');
  document.getElementById('count').textContent = `${rows.length.toLocaleString('en')} organizations`;
  document.getElementById('rows').replaceChildren(
    ...rows.slice(0, SHOWN).map((row) => {
      const tr = document.createElement('tr');
      for (const text of [row.name, row.baseCurrency, row.currencies.join(', ')]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
  requestAnimationFrame(() => {
    document.documentElement.dataset.organisations = String(rows.length);
    performance.mark('oas:organisations-painted');
  });
});

// The harness's launchApp() waits for this, as for the app's first screen.
requestAnimationFrame(() => requestAnimationFrame(() => (document.documentElement.dataset.ready = '1')));
