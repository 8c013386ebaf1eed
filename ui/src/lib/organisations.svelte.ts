import type { IpcError } from "./bindings/IpcError";
import type { Organisation } from "./bindings/Organisation";
import type { OrganisationRow } from "./bindings/OrganisationRow";
import type { OrganisationRows } from "./bindings/OrganisationRows";
import * as commands from "./commands";
import { indexOrganisations, type IndexedOrganisation } from "./organisations";
import { handleSessionError } from "./session.svelte";

/**
 * The organisations list. Its shape, for what builds on it:
 * - `rows`: every row loaded, in server order; null until the first page of the first listing
 *   arrives. `indexed`: the same rows with their search text, built as they arrive.
 * - `loading`: a listing is under way; `loaded` of `total`: its progress ("1,200 of 10,000").
 *   The first listing shows its rows as they arrive; a refresh keeps the rows on screen and
 *   swaps them when the new listing is complete. `refreshing`: the listing under way is a
 *   refresh (rows were on screen when it began), not the first one.
 * - `listedAt`: when the rows on screen were listed completely (`Date.now()`), null before;
 *   offline, the banner shows it beside the list that is still readable.
 * - `activeId`: the shell's answer, with the rows as they come on a first listing (the badge
 *   shows with its row), and once a listing is complete. `contactsSupported`: once complete.
 * - `error`: why the last listing failed (the rows on screen stay).
 * Rows are replaced as whole arrays, never mutated, so no deep proxies are needed.
 */
class OrganisationsStore {
  rows = $state.raw<OrganisationRow[] | null>(null);
  indexed = $state.raw<IndexedOrganisation[]>([]);
  loading = $state(false);
  refreshing = $state(false);
  loaded = $state(0);
  total = $state(0);
  listedAt = $state<number | null>(null);
  /** Which organisation is active, as the shell computed it (never recomputed here). */
  activeId = $state<number | null>(null);
  contactsSupported = $state(false);
  error = $state.raw<IpcError | null>(null);
}

export const organisations = new OrganisationsStore();

let loadSerial = 0;

/**
 * What this app changed while listing `serial` was under way — Make active answered, an
 * organisation saved, one found deleted. The pages read before the change still hold the old
 * state, so the change wins over them for the rest of that listing (on a slow network a person
 * can save or activate long before the last page arrives).
 */
interface Changes {
  saved: Map<number, OrganisationRow>;
  removed: Set<number>;
}
interface ChangedDuring extends Changes {
  serial: number;
  activated?: { activeId: number | null };
}
let changedDuring: ChangedDuring | null = null;

/** Where to note a change made now: the listing under way, if one is. */
function noteChange(): ChangedDuring | null {
  if (!organisations.loading) return null;
  if (changedDuring?.serial !== loadSerial) changedDuring = { serial: loadSerial, saved: new Map(), removed: new Set() };
  return changedDuring;
}

/** `list` (what the listing read) with the changes made during it: saved rows replace theirs or
 * come at the end, removed ones go. */
function withChanges<T>(list: T[], idOf: (item: T) => number, changes: Changes | null, make: (row: OrganisationRow) => T): T[] {
  if (!changes || (changes.saved.size === 0 && changes.removed.size === 0)) return list;
  const seen = new Set<number>();
  const out: T[] = [];
  for (const item of list) {
    const id = idOf(item);
    seen.add(id);
    if (changes.removed.has(id)) continue;
    const saved = changes.saved.get(id);
    out.push(saved ? make(saved) : item);
  }
  for (const [id, row] of changes.saved) if (!seen.has(id) && !changes.removed.has(id)) out.push(make(row));
  return out;
}

export async function loadOrganisations(): Promise<void> {
  const serial = ++loadSerial;
  delete document.documentElement.dataset.organisations;
  organisations.loading = true;
  organisations.error = null;
  organisations.loaded = 0;
  organisations.total = 0;
  // Nothing on screen yet: show rows as they come. Otherwise keep them until all are in.
  const streaming = organisations.rows === null;
  organisations.refreshing = !streaming;
  let rows: OrganisationRow[] = [];
  let indexed: IndexedOrganisation[] = [];
  let lastLoaded = 0;
  let allIn: (() => void) | null = null;
  /** What the listing read so far, with what this app changed meanwhile, on screen. */
  const show = (activeId: number | null) => {
    const changes = changedDuring?.serial === serial ? changedDuring : null;
    showRows(rows, indexed, changes);
    organisations.activeId = changes?.activated ? changes.activated.activeId : activeId;
  };
  const onRows = (m: OrganisationRows) => {
    if (serial !== loadSerial) return;
    if (m.restart) {
      rows = [];
      indexed = [];
    }
    rows = rows.concat(m.rows);
    indexed = indexed.concat(indexOrganisations(m.rows));
    lastLoaded = m.loaded;
    organisations.loaded = m.loaded;
    organisations.total = m.total;
    if (streaming) show(m.activeId);
    if (allIn && lastLoaded >= organisations.total) allIn();
  };
  try {
    const listed = await commands.organisationsList(onRows);
    // The answer may overtake the last rows on their way: wait for them.
    if (lastLoaded < listed.total) await new Promise<void>((resolve) => (allIn = resolve));
    if (serial !== loadSerial) return;
    show(listed.activeId);
    organisations.contactsSupported = listed.contactsSupported;
    organisations.listedAt = Date.now();
  } catch (error) {
    if (serial !== loadSerial) return;
    const ipc = commands.toIpcError(error);
    if (!handleSessionError(ipc)) organisations.error = ipc;
  } finally {
    if (serial === loadSerial) {
      organisations.loading = false;
      organisations.refreshing = false;
    }
  }
}

function rowOf(o: Organisation): OrganisationRow {
  return { id: o.id, name: o.name, baseCurrency: o.baseCurrency, currencies: o.currencies, image: o.image };
}

/** Puts a saved organisation into the list without fetching every page again. */
export function upsertOrganisation(saved: Organisation): void {
  const row = rowOf(saved);
  const changes = noteChange();
  changes?.removed.delete(row.id);
  changes?.saved.set(row.id, row);
  showChange({ saved: new Map([[row.id, row]]), removed: new Set() });
}

/** Takes an organisation the server no longer has out of the list (deleted by someone else). */
export function removeOrganisation(id: number): void {
  if (!organisations.rows) return;
  const changes = noteChange();
  changes?.saved.delete(id);
  changes?.removed.add(id);
  showChange({ saved: new Map(), removed: new Set([id]) });
  if (organisations.activeId === id) organisations.activeId = null;
}

/** One change laid over the rows on screen, as a listing lays its changes over what it read. */
function showChange(change: Changes): void {
  showRows(organisations.rows ?? [], organisations.indexed, change);
}

/** `rows` and their search index on screen, with `changes` laid over both. */
function showRows(rows: OrganisationRow[], indexed: IndexedOrganisation[], changes: Changes | null): void {
  organisations.rows = withChanges(rows, (r) => r.id, changes, (r) => r);
  organisations.indexed = withChanges(indexed, (i) => i.organisation.id, changes, (r) => indexOrganisations([r])[0]);
}

/** Activates on the server; the shell answers which organisation is active now. */
export async function makeActive(id: number): Promise<string> {
  const shown = generation;
  const { message, activeId } = await commands.organisationMakeActive(id);
  // Another server's list is shown now: the answer belongs to the one it was asked of.
  if (shown === generation) {
    organisations.activeId = activeId;
    const changes = noteChange();
    if (changes) changes.activated = { activeId };
  }
  return message;
}

/** Bumped whenever the list shown stops being the one an answer in flight was asked for. */
let generation = 0;

interface LastList {
  rows: OrganisationRow[];
  indexed: IndexedOrganisation[];
  activeId: number | null;
  contactsSupported: boolean;
  listedAt: number | null;
}
/** The last list of each signed-in server (keyed by `server#userId`), shown at once on return. */
const lastLists = new Map<string, LastList>();

/**
 * Another server is in use: keep this one's list, show the other's last list at once (if any)
 * and refresh it. `from`/`to` name the session (`server#userId`), null when signed out.
 */
export function switchOrganisations(from: string | null, to: string | null): void {
  if (from && organisations.rows) {
    const { rows, indexed, activeId, contactsSupported, listedAt } = organisations;
    lastLists.set(from, { rows, indexed, activeId, contactsSupported, listedAt });
  }
  resetOrganisations();
  const last = to ? lastLists.get(to) : undefined;
  if (!last) return;
  organisations.rows = last.rows;
  organisations.indexed = last.indexed;
  organisations.activeId = last.activeId;
  organisations.contactsSupported = last.contactsSupported;
  organisations.listedAt = last.listedAt;
  void loadOrganisations();
}

export function resetOrganisations(): void {
  generation++;
  loadSerial++;
  changedDuring = null;
  if (typeof document !== "undefined") delete document.documentElement.dataset.organisations;
  organisations.rows = null;
  organisations.indexed = [];
  organisations.loading = false;
  organisations.refreshing = false;
  organisations.loaded = 0;
  organisations.total = 0;
  organisations.listedAt = null;
  organisations.activeId = null;
  organisations.contactsSupported = false;
  organisations.error = null;
}
