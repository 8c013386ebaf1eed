import type { ServerEntry } from "./bindings/ServerEntry";
import type { ServerInput } from "./bindings/ServerInput";
import type { ServersView } from "./bindings/ServersView";
import type { SessionState } from "./bindings/SessionState";
import * as commands from "./commands";
import { switchOrganisations } from "./organisations.svelte";
import { session } from "./session.svelte";

/** The server profiles as the shell last answered (the rules live in Rust: `servers.rs`). */
export const servers = $state<{ view: ServersView | null; manageOpen: boolean }>({ view: null, manageOpen: false });

/** Which session a state is: `server#userId` when signed in. */
export function sessionKey(state: SessionState | null): string | null {
  return state?.status === "signedIn" ? `${state.server}#${state.user.id}` : null;
}

export function currentServer(): ServerEntry | null {
  const view = servers.view;
  return view?.profiles.find((p) => p.id === view.current) ?? null;
}

/** Shows the session state of the server in use, when it is a different one (or changed). */
function applyState(next: SessionState, previous: string | null): void {
  // Calls still in flight belong to the server used until now.
  if (servers.view?.current !== previous) commands.anotherServerInUse();
  const before = session.state;
  if (JSON.stringify(before) === JSON.stringify(next)) return;
  const from = sessionKey(before);
  const to = sessionKey(next);
  if (from !== to) switchOrganisations(from, to);
  session.state = next;
  session.restoreError = next.status === "signedOut" ? (next.restoreError ?? null) : null;
  session.notice = null;
  session.reopen = null;
  if (from !== to && next.status === "signedIn") session.screen = session.screen === "account" ? "home" : session.screen;
}

/** Answers apply in the order they were asked: a late list never undoes a switch. */
let asked = 0;
let shown = 0;

function show(view: ServersView, withState: boolean, serial: number): ServersView {
  if (serial < shown) return view;
  shown = serial;
  const before = servers.view?.current ?? null;
  servers.view = view;
  document.title = view.title;
  if (withState) applyState(view.state, before);
  return view;
}

/** The profiles, e.g. after a sign-in added or changed one. Leaves the session as it is. */
export async function loadServers(): Promise<void> {
  try {
    const serial = ++asked;
    show(await commands.serversList(), false, serial);
  } catch {
    // The menu keeps its last answer; the session in use is unaffected.
  }
}

/** Switches to a profile: a signed-in one at once, else its sign-in form (null: another server). */
export async function selectServer(id: string | null): Promise<void> {
  show(await commands.serverSelect(id), true, ++asked);
}

export async function addServer(input: ServerInput): Promise<ServersView> {
  return show(await commands.serverAdd(input), true, ++asked);
}

export async function updateServer(id: string, input: ServerInput): Promise<ServersView> {
  return show(await commands.serverUpdate(id, input), true, ++asked);
}

/** Forgets the profile: its key and session leave this computer. */
export async function removeServer(id: string): Promise<ServersView> {
  return show(await commands.serverRemove(id), true, ++asked);
}
