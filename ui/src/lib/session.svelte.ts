import type { DemoPrefill } from "./bindings/DemoPrefill";
import type { IpcError } from "./bindings/IpcError";
import type { Remembered } from "./bindings/Remembered";
import type { SessionState } from "./bindings/SessionState";
import type { SignInRequest } from "./bindings/SignInRequest";
import * as commands from "./commands";

export type Screen = "home" | "organisations" | "account" | "about";

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
};

export const session = $state<SessionStore>({
  state: null,
  restoreError: null,
  notice: null,
  prefill: null,
  screen: "home",
  keyRejected: false,
});

const EMPTY_REMEMBERED: Remembered = { server: "", username: "", email: "" };

/** What to put back in the sign-in form. */
export function rememberedDetails(): Remembered {
  const s = session.state;
  if (s?.status === "signedOut") return s.remembered;
  if (s?.status === "signedIn") return { server: s.server, username: s.user.username, email: s.user.email };
  return EMPTY_REMEMBERED;
}

/** Start-up: restore from the keychain and fetch the demo prefill side by side. */
export async function start(): Promise<void> {
  const [restored, prefill] = await Promise.allSettled([commands.sessionRestore(), commands.demoPrefill()]);
  session.prefill = prefill.status === "fulfilled" ? prefill.value : null;
  applyRestore(restored);
}

export async function retryRestore(): Promise<void> {
  const [restored] = await Promise.allSettled([commands.sessionRestore()]);
  applyRestore(restored);
}

function applyRestore(restored: PromiseSettledResult<SessionState>): void {
  if (restored.status === "fulfilled") {
    session.state = restored.value;
    session.restoreError = null;
  } else {
    session.restoreError = commands.toIpcError(restored.reason);
    // Keep the existing sign-in form (and what was typed in it) when a retry fails again.
    if (session.state?.status !== "signedOut") session.state = { status: "signedOut", remembered: EMPTY_REMEMBERED };
  }
}

export async function signIn(request: SignInRequest): Promise<void> {
  const next = await commands.signIn(request);
  session.state = next;
  session.restoreError = null;
  session.notice = null;
  session.screen = "home";
}

export async function signOut(): Promise<void> {
  const remembered = rememberedDetails();
  const next = await commands.signOut();
  session.state = next.status === "signedOut" && !next.remembered.server ? { status: "signedOut", remembered } : next;
  session.prefill = null;
}

/** Any screen calls this with a failure; an ended session goes back to sign in. */
export function handleSessionError(error: IpcError): boolean {
  // A rotated or revoked key: offer to enter the new one right there; the screen keeps its
  // form and its error, so the action can be tried again after the key is replaced.
  if (error.code === "api_key_rejected" && session.state?.status === "signedIn") session.keyRejected = true;
  if (error.code !== "session_expired") return false;
  session.state = { status: "signedOut", remembered: rememberedDetails() };
  session.notice = error;
  return true;
}

export function navigate(screen: Screen): void {
  if (screen === "organisations") performance.mark("oas:organisations-open");
  session.screen = screen;
}

/** The session after a change made on the Account screen (new username, new API key). */
export function sessionChanged(next: SessionState): void {
  session.state = next;
}
