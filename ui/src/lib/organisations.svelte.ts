import type { IpcError } from "./bindings/IpcError";
import type { Organisation } from "./bindings/Organisation";
import type { OrganisationsView } from "./bindings/OrganisationsView";
import * as commands from "./commands";
import { handleSessionError } from "./session.svelte";

class OrganisationsStore {
  // Raw state: 10,000 rows are replaced as a whole, never mutated, so no deep proxies are needed.
  view = $state.raw<OrganisationsView | null>(null);
  /** Which organisation is active, as the shell computed it (never recomputed here). */
  activeId = $state<number | null>(null);
  loading = $state(false);
  error = $state.raw<IpcError | null>(null);
  /** When the list shown was loaded from the server (ms since 1970): offline, it is still read. */
  loadedAt = $state<number | null>(null);
}

export const organisations = new OrganisationsStore();

let loadSerial = 0;

export async function loadOrganisations(): Promise<void> {
  const serial = ++loadSerial;
  delete document.documentElement.dataset.organisations;
  organisations.loading = true;
  organisations.error = null;
  try {
    const view = await commands.organisationsList();
    if (serial !== loadSerial) return;
    organisations.view = view;
    organisations.activeId = view.activeId;
    organisations.loadedAt = Date.now();
  } catch (error) {
    if (serial !== loadSerial) return;
    const ipc = commands.toIpcError(error);
    if (!handleSessionError(ipc)) organisations.error = ipc;
  } finally {
    if (serial === loadSerial) organisations.loading = false;
  }
}

/** Puts a saved organisation into the list without fetching every page again. */
export function upsertOrganisation(saved: Organisation): void {
  const view = organisations.view ?? { organisations: [], activeId: null, contactsSupported: false };
  const index = view.organisations.findIndex((o) => o.id === saved.id);
  const list = view.organisations.slice();
  if (index >= 0) list[index] = saved;
  else list.push(saved);
  organisations.view = { ...view, organisations: list };
}

/** Takes an organisation the server no longer has out of the list (deleted by someone else). */
export function removeOrganisation(id: number): void {
  const view = organisations.view;
  if (!view) return;
  organisations.view = { ...view, organisations: view.organisations.filter((o) => o.id !== id) };
  if (organisations.activeId === id) organisations.activeId = null;
}

/** Activates on the server; the shell answers which organisation is active now. */
export async function makeActive(id: number): Promise<string> {
  const shown = generation;
  const { message, activeId } = await commands.organisationMakeActive(id);
  // Another server's list is shown now: the answer belongs to the one it was asked of.
  if (shown === generation) organisations.activeId = activeId;
  return message;
}

/** Bumped whenever the list shown stops being the one an answer in flight was asked for. */
let generation = 0;
/** The last list of each signed-in server (keyed by `server#userId`), shown at once on return. */
const lastLists = new Map<string, { view: OrganisationsView; activeId: number | null }>();

/**
 * Another server is in use: keep this one's list, show the other's last list at once (if any)
 * and refresh it. `from`/`to` name the session (`server#userId`), null when signed out.
 */
export function switchOrganisations(from: string | null, to: string | null): void {
  if (from && organisations.view) lastLists.set(from, { view: organisations.view, activeId: organisations.activeId });
  resetOrganisations();
  const last = to ? lastLists.get(to) : undefined;
  if (!last) return;
  organisations.view = last.view;
  organisations.activeId = last.activeId;
  void loadOrganisations();
}

export function resetOrganisations(): void {
  generation++;
  loadSerial++;
  if (typeof document !== "undefined") delete document.documentElement.dataset.organisations;
  organisations.view = null;
  organisations.activeId = null;
  organisations.loading = false;
  organisations.error = null;
  organisations.loadedAt = null;
}
