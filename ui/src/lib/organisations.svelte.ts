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
 *   swaps them when the new listing is complete.
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
/** Make active answered while listing `serial` was under way: that listing read the flags before,
 * so the activation's answer is the newer one, for the rest of that listing. */
let activatedDuring: { serial: number; activeId: number | null } | null = null;

export async function loadOrganisations(): Promise<void> {
  const serial = ++loadSerial;
  delete document.documentElement.dataset.organisations;
  organisations.loading = true;
  organisations.error = null;
  organisations.loaded = 0;
  organisations.total = 0;
  // Nothing on screen yet: show rows as they come. Otherwise keep them until all are in.
  const streaming = organisations.rows === null;
  let rows: OrganisationRow[] = [];
  let indexed: IndexedOrganisation[] = [];
  let lastLoaded = 0;
  let allIn: (() => void) | null = null;
  const activeOf = (listed: number | null) => (activatedDuring?.serial === serial ? activatedDuring.activeId : listed);
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
    if (streaming) {
      organisations.rows = rows;
      organisations.indexed = indexed;
      organisations.activeId = activeOf(m.activeId);
    }
    if (allIn && lastLoaded >= organisations.total) allIn();
  };
  try {
    const listed = await commands.organisationsList(onRows);
    // The answer may overtake the last rows on their way: wait for them.
    if (lastLoaded < listed.total) await new Promise<void>((resolve) => (allIn = resolve));
    if (serial !== loadSerial) return;
    organisations.rows = rows;
    organisations.indexed = indexed;
    organisations.activeId = activeOf(listed.activeId);
    organisations.contactsSupported = listed.contactsSupported;
    organisations.listedAt = Date.now();
  } catch (error) {
    if (serial !== loadSerial) return;
    const ipc = commands.toIpcError(error);
    if (!handleSessionError(ipc)) organisations.error = ipc;
  } finally {
    if (serial === loadSerial) organisations.loading = false;
  }
}

function rowOf(o: Organisation): OrganisationRow {
  return { id: o.id, name: o.name, baseCurrency: o.baseCurrency, currencies: o.currencies, image: o.image };
}

/** Puts a saved organisation into the list without fetching every page again. */
export function upsertOrganisation(saved: Organisation): void {
  const row = rowOf(saved);
  const list = (organisations.rows ?? []).slice();
  const index = list.findIndex((o) => o.id === saved.id);
  if (index >= 0) list[index] = row;
  else list.push(row);
  organisations.rows = list;
  const indexed = organisations.indexed.slice();
  const [entry] = indexOrganisations([row]);
  const at = indexed.findIndex((i) => i.organisation.id === saved.id);
  if (at >= 0) indexed[at] = entry;
  else indexed.push(entry);
  organisations.indexed = indexed;
}

/** Takes an organisation the server no longer has out of the list (deleted by someone else). */
export function removeOrganisation(id: number): void {
  if (!organisations.rows) return;
  organisations.rows = organisations.rows.filter((o) => o.id !== id);
  organisations.indexed = organisations.indexed.filter((i) => i.organisation.id !== id);
  if (organisations.activeId === id) organisations.activeId = null;
}

/** Activates on the server; the shell answers which organisation is active now. */
export async function makeActive(id: number): Promise<string> {
  const shown = generation;
  const { message, activeId } = await commands.organisationMakeActive(id);
  // Another server's list is shown now: the answer belongs to the one it was asked of.
  if (shown === generation) {
    organisations.activeId = activeId;
    if (organisations.loading) activatedDuring = { serial: loadSerial, activeId };
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
  if (typeof document !== "undefined") delete document.documentElement.dataset.organisations;
  organisations.rows = null;
  organisations.indexed = [];
  organisations.loading = false;
  organisations.loaded = 0;
  organisations.total = 0;
  organisations.listedAt = null;
  organisations.activeId = null;
  organisations.contactsSupported = false;
  organisations.error = null;
}
