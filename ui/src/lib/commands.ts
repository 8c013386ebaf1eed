// The only module that talks to the Rust shell; everything else calls these wrappers.
import { invoke } from "@tauri-apps/api/core";
import type { AddressCheck } from "./bindings/AddressCheck";
import type { Activation } from "./bindings/Activation";
import { listen } from "@tauri-apps/api/event";
import type { DemoPrefill } from "./bindings/DemoPrefill";
import { ERROR_CODES } from "./bindings/errorCodes";
import type { AppInfo } from "./bindings/AppInfo";
import type { Link } from "./bindings/Link";
import type { PasswordChange } from "./bindings/PasswordChange";
import type { PasswordStrength } from "./bindings/PasswordStrength";
import type { Profile } from "./bindings/Profile";
import type { ProfileUpdate } from "./bindings/ProfileUpdate";
import type { Theme } from "./bindings/Theme";
import type { IpcError } from "./bindings/IpcError";
import type { Organisation } from "./bindings/Organisation";
import type { OrganisationDraft } from "./bindings/OrganisationDraft";
import type { OrganisationsView } from "./bindings/OrganisationsView";
import type { SavedDraft } from "./bindings/SavedDraft";
import type { SessionState } from "./bindings/SessionState";
import type { SignInRequest } from "./bindings/SignInRequest";
import type { UpdateCheck } from "./bindings/UpdateCheck";
import type { StorageProblem } from "./bindings/StorageProblem";

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
export const appReady = (marks?: Record<string, number>) => call<void>("app_ready", { marks });

export const sessionRestore = () => call<SessionState>("session_restore");
export const signIn = (request: SignInRequest) => call<SessionState>("sign_in", { request });
export const signOut = () => call<SessionState>("sign_out");
/** What a typed server address means (Rust's rule): the API root, or invalid/insecure_address. */
export const serverAddressCheck = (input: string) => call<AddressCheck>("server_address_check", { input });
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
/** Saves an edit of `base` (the organisation as the form opened it): only what changed is sent. */
export const organisationUpdate = (id: number, base: Organisation, draft: OrganisationDraft) =>
  call<Organisation>("organisation_update", { id, base, draft });
export const organisationMakeActive = (id: number) => call<Activation>("organisation_make_active", { id });

/** Every unsaved form of this account: one per organisation, one for a new one. */
export const draftLoad = () => call<SavedDraft[]>("draft_load");
export const draftSave = (saved: SavedDraft) => call<void>("draft_save", { saved });
export const draftDiscard = (editingId: number | null) => call<void>("draft_discard", { editingId });

export const exportCsv = (csv: string) => call<boolean>("export_csv", { csv });

export const accountProfile = () => call<Profile>("account_profile");
export const accountUpdate = (update: ProfileUpdate) => call<[Profile, SessionState]>("account_update", { update });
export const passwordStrength = (password: string) => call<PasswordStrength>("password_strength", { password });
export const passwordChange = (change: PasswordChange) => call<void>("password_change", { change });
export const apiKeyReplace = (apiKey: string) => call<SessionState>("api_key_replace", { apiKey });
export const themeGet = () => call<Theme>("theme_get");
export const themeSet = (theme: Theme) => call<void>("theme_set", { theme });
export const appInfo = () => call<AppInfo>("app_info");
export const diagnostics = (language: string) => call<string>("diagnostics", { language });
export const openLink = (link: Link) => call<void>("open_link", { link });
export const updateCheck = () => call<UpdateCheck>("update_check");
/** Installs the update found by the last check and restarts; refused while work is unsaved. */
export const updateInstall = () => call<void>("update_install");
export const unsavedWorkSet = (dirty: boolean) => call<void>("unsaved_work_set", { dirty });
