// Whether the server can be reached, as the shell decides it (src-tauri/connectivity.rs: what
// counts as unreachable, when to try again). The UI shows it and counts the seconds down.
import type { ConnectionState } from "./bindings/ConnectionState";
import * as commands from "./commands";
import { loadOrganisations, organisations } from "./organisations.svelte";

/** The visible text saying why server actions are disabled; they point to it (aria-describedby). */
export const OFFLINE_REASON_ID = "offline-reason";

class ConnectionStore {
  offline = $state(false);
  /** When the next try is due (ms since 1970); null while it is being tried. */
  retryAt = $state<number | null>(null);
}

export const connection = new ConnectionStore();

/** For a control that needs the server: what describes it while offline. */
export function offlineDescription(): string | undefined {
  return connection.offline ? OFFLINE_REASON_ID : undefined;
}

export function applyConnectionState(state: ConnectionState, now = Date.now()): void {
  if (state.status === "online") {
    const was = connection.offline;
    connection.offline = false;
    connection.retryAt = null;
    // The list read while offline is brought up to date as soon as the server answers.
    if (was && organisations.rows) void loadOrganisations();
    return;
  }
  connection.offline = true;
  connection.retryAt = state.retryInSeconds > 0 ? now + state.retryInSeconds * 1000 : null;
}

export function startConnection(): Promise<() => void> {
  return commands.onConnectionState((state) => applyConnectionState(state));
}

export async function retryNow(): Promise<void> {
  connection.retryAt = null;
  try {
    await commands.connectionRetry();
  } catch {
    // The next scheduled try still comes.
  }
}
