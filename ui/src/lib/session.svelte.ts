import type { DemoPrefill } from "./bindings/DemoPrefill";
import type { IpcError } from "./bindings/IpcError";
import type { Remembered } from "./bindings/Remembered";
import type { SessionState } from "./bindings/SessionState";
import type { SignInRequest } from "./bindings/SignInRequest";
import type { StorageProblem } from "./bindings/StorageProblem";
import * as commands from "./commands";
import { loadShell } from "./screens.svelte";

export type Screen = "home" | "organisations" | "account" | "about" | "import";

type SessionStore = {
  /** null until the first restore attempt has answered. */
  state: SessionState | null;
  restoreError: IpcError | null;
  /** Why the person was sent back to sign in (e.g. the session expired). */
  notice: IpcError | null;
  prefill: DemoPrefill | null;
  screen: Screen;
  /** The server refused the API key mid-session: the "enter the new key" dialog is open. */
  keyRejected: boolean;
  /** Settings or drafts files that could not be read and were kept aside (told once). */
  storageProblems: StorageProblem[];
  /** The organisation form that was open when the session ended: brought back after signing in. */
  reopen: { editingId: number | null } | null;
  /** The keychain refused a renewed sign-in: this session will not survive a restart. */
  keepLost: boolean;
};

export const session = $state<SessionStore>({
  state: null,
  restoreError: null,
  notice: null,
  prefill: null,
  screen: "home",
  keyRejected: false,
  storageProblems: [],
  reopen: null,
  keepLost: false,
});

const EMPTY_REMEMBERED: Remembered = { server: "", username: "", email: "", userId: null };

/** What to put back in the sign-in form. */
export function rememberedDetails(): Remembered {
  const s = session.state;
  if (s?.status === "signedOut") return s.remembered;
  if (s?.status === "signedIn") return { server: s.server, username: s.user.username, email: s.user.email, userId: s.user.id };
  return EMPTY_REMEMBERED;
}

/** "…7Q2" when the keychain keeps the API key (signed in, or signed out with the key kept). */
function keyHint(): string | null {
  const s = session.state;
  if (s?.status === "signedOut") return s.savedKeyHint;
  if (s?.status === "signedIn") return s.apiKeyHint;
  return null;
}

/** The shell says a session changed on its own (e.g. the keychain refused to keep it). */
function applyShellState(next: SessionState): void {
  const s = session.state;
  if (next.status === "signedIn" && s?.status === "signedIn" && s.user.id === next.user.id && s.server === next.server) {
    if (s.staysSignedIn && !next.staysSignedIn) session.keepLost = true;
    session.state = next;
  }
}

let startedEarly: Promise<void> | null = null;

/**
 * Starts before the app is mounted (main.ts), so Rust answers while the page has nothing else to
 * do and the first screen is built once, as itself, instead of a splash replaced a moment later.
 * Resolves when started or after `waitMs`, whichever comes first: a slow keychain gets the splash.
 * `start` then takes this start-up instead of beginning another.
 */
export function startEarly(waitMs: number): Promise<void> {
  startedEarly ??= run();
  return Promise.race([startedEarly, new Promise<void>((resolve) => setTimeout(resolve, waitMs))]);
}

/** Start-up: restore from the keychain and fetch the demo prefill side by side. */
export function start(): Promise<void> {
  const early = startedEarly;
  startedEarly = null;
  return early ?? run();
}

async function run(): Promise<void> {
  // One request: the session, what else the first screen shows, and the shell's later word.
  let restored: PromiseSettledResult<SessionState>;
  try {
    const started = await commands.sessionStart(applyShellState);
    session.prefill = started.prefill;
    session.storageProblems = started.storageProblems;
    restored = { status: "fulfilled", value: started.session };
  } catch (reason) {
    restored = { status: "rejected", reason };
  }
  // A restored session's first screen is the signed-in one: its code is here before it is shown.
  if (restored.status === "fulfilled" && restored.value.status === "signedIn") await loadShell().catch(() => {});
  applyRestore(restored);
  // Start-up phases for the benchmark (bench/measure.py).
  performance.mark("oas:first-ipc-answered");
}

export async function retryRestore(): Promise<void> {
  const [restored] = await Promise.allSettled([commands.sessionRestore()]);
  applyRestore(restored);
}

function applyRestore(restored: PromiseSettledResult<SessionState>): void {
  if (restored.status === "fulfilled") {
    const { value } = restored;
    // Not restored, for a reason the person should see; the form keeps the remembered details.
    const problem = value.status === "signedOut" ? value.restoreError ?? null : null;
    // Keep the existing sign-in form (and what was typed in it) when a retry fails again.
    if (!(problem && session.state?.status === "signedOut")) session.state = value;
    session.restoreError = problem;
  } else {
    session.restoreError = commands.toIpcError(restored.reason);
    // Keep the existing sign-in form (and what was typed in it) when a retry fails again.
    if (session.state?.status !== "signedOut") session.state = { status: "signedOut", remembered: EMPTY_REMEMBERED, savedKeyHint: null };
  }
}

export async function signIn(request: SignInRequest): Promise<void> {
  // The signed-in screens load while the server checks the password, and come with its answer.
  const [next] = await Promise.all([commands.signIn(request), loadShell().catch(() => null)]);
  session.state = next;
  session.restoreError = null;
  session.notice = null;
  session.keepLost = false;
  // A form that was open when the session ended comes back as it was.
  session.screen = session.reopen ? "organisations" : "home";
}

export async function signOut(): Promise<void> {
  const remembered = rememberedDetails();
  const next = await commands.signOut();
  session.state =
    next.status === "signedOut" && !next.remembered.server ? { status: "signedOut", remembered, savedKeyHint: next.savedKeyHint } : next;
  session.prefill = null;
  session.reopen = null;
}

/** Deletes this server's saved API key and remembered profile. */
export async function forgetServer(): Promise<void> {
  session.state = await commands.forgetServer();
  session.prefill = null;
  session.reopen = null;
}

const sessionEndHooks = new Set<() => void>();

/**
 * Runs `hook` when the session ends under an open screen, before the sign-in form replaces it
 * (an open form saves its last keystrokes). Returns the unsubscribe function.
 */
export function onSessionEnd(hook: () => void): () => void {
  sessionEndHooks.add(hook);
  return () => sessionEndHooks.delete(hook);
}

/** Any screen calls this with a failure; an ended session goes back to sign in. */
export function handleSessionError(error: IpcError): boolean {
  // A late failure of the server used before a switch: that server's screen is gone.
  if (commands.fromEarlierServer(error)) return true;
  // A rotated or revoked key: offer to enter the new one right there; the screen keeps its
  // form and its error, so the action can be tried again after the key is replaced.
  if (error.code === "api_key_rejected" && session.state?.status === "signedIn") session.keyRejected = true;
  if (error.code !== "session_expired") return false;
  for (const hook of [...sessionEndHooks]) hook();
  session.state = { status: "signedOut", remembered: rememberedDetails(), savedKeyHint: keyHint() };
  session.notice = error;
  return true;
}

export function dismissStorageProblems(): void {
  session.storageProblems = [];
}

export function navigate(screen: Screen): void {
  if (screen === "organisations") performance.mark("oas:organisations-open");
  session.screen = screen;
}

/** The session after a change made on the Account screen (new username, new API key). */
export function sessionChanged(next: SessionState): void {
  const now = session.state;
  // A late answer about the server used before a switch changes nothing here.
  if (next.status === "signedIn" && now?.status === "signedIn" && now.server !== next.server) return;
  session.state = next;
}
