// The only module that talks to the Rust shell; everything else calls these wrappers.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { DemoPrefill } from "./bindings/DemoPrefill";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { IpcError } from "./bindings/IpcError";
import type { Organisation } from "./bindings/Organisation";
import type { OrganisationDraft } from "./bindings/OrganisationDraft";
import type { OrganisationsView } from "./bindings/OrganisationsView";
import type { SavedDraft } from "./bindings/SavedDraft";
import type { SessionState } from "./bindings/SessionState";
import type { SignInRequest } from "./bindings/SignInRequest";
import type { StorageProblem } from "./bindings/StorageProblem";

const ERROR_CODES: readonly ErrorCode[] = [
  "unreachable", "timeout", "tls", "not_oas", "wrong_credentials", "api_key_rejected",
  "session_expired", "not_found", "throttled", "validation", "server_error", "invalid_address",
  "insecure_address", "response_too_large", "origin_mismatch", "keychain_unavailable", "unexpected",
];

export function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === "object" && value !== null &&
    typeof (value as IpcError).code === "string" &&
    typeof (value as IpcError).message === "string"
  );
}

/** Every rejection becomes an IpcError, so screens have one shape to handle. */
export function toIpcError(value: unknown): IpcError {
  if (isIpcError(value)) {
    return ERROR_CODES.includes(value.code) ? value : { ...value, code: "unexpected" };
  }
  const message = value instanceof Error ? value.message : typeof value === "string" ? value : "";
  return { code: "unexpected", message };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toIpcError(error);
  }
}

/** Tells the shell the first screen is painted (the start-up benchmark times this). */
export const appReady = () => call<void>("app_ready");
export const sessionRestore = () => call<SessionState>("session_restore");
export const signIn = (request: SignInRequest) => call<SessionState>("sign_in", { request });
export const signOut = () => call<SessionState>("sign_out");
/** The shell's word when a session changes on its own (the event `session-state`). */
export const onSessionState = (f: (state: SessionState) => void) => listen<SessionState>("session-state", (e) => f(e.payload));
/** Deletes the saved API key and the remembered profile of this server. */
export const forgetServer = () => call<SessionState>("forget_server");
/** Settings or drafts files that could not be read at start (kept aside), each told once. */
export const storageProblems = () => call<StorageProblem[]>("storage_problems");
export const demoPrefill = () => call<DemoPrefill | null>("demo_prefill");
export const openAccessRequest = () => call<void>("open_access_request");

export const organisationsList = () => call<OrganisationsView>("organisations_list");
export const organisationCreate = (draft: OrganisationDraft) =>
  call<Organisation>("organisation_create", { draft });
export const organisationUpdate = (id: number, draft: OrganisationDraft) =>
  call<Organisation>("organisation_update", { id, draft });
export const organisationMakeActive = (id: number) => call<string>("organisation_make_active", { id });

/** Every unsaved form of this account: one per organisation, one for a new one. */
export const draftLoad = () => call<SavedDraft[]>("draft_load");
export const draftSave = (saved: SavedDraft) => call<void>("draft_save", { saved });
export const draftDiscard = (editingId: number | null) => call<void>("draft_discard", { editingId });

export const exportCsv = (csv: string) => call<boolean>("export_csv", { csv });
