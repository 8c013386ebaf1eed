// The only module that talks to the Rust shell; everything else calls these wrappers.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { AddressCheck } from "./bindings/AddressCheck";
import type { Activation } from "./bindings/Activation";
import { listen } from "@tauri-apps/api/event";
import type { ConnectionState } from "./bindings/ConnectionState";
import type { StartState } from "./bindings/StartState";
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
import type { OrganisationRows } from "./bindings/OrganisationRows";
import type { OrganisationsListed } from "./bindings/OrganisationsListed";
import type { SavedDraft } from "./bindings/SavedDraft";
import type { SessionState } from "./bindings/SessionState";
import type { SignInRequest } from "./bindings/SignInRequest";
import type { UpdateCheck } from "./bindings/UpdateCheck";
import type { ServerInput } from "./bindings/ServerInput";
import type { ServersView } from "./bindings/ServersView";
import type { Choices } from "./bindings/Choices";
import type { ImportFile } from "./bindings/ImportFile";
import type { Preview } from "./bindings/Preview";
import type { PreviewOptions } from "./bindings/PreviewOptions";
import type { Progress } from "./bindings/Progress";
import type { Report } from "./bindings/Report";
import type { RowWords } from "./bindings/RowWords";

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

/** Bumped when another server comes into use; each failure remembers the one it was asked of. */
let serverEpoch = 0;
const askedIn = new WeakMap<object, number>();

export function anotherServerInUse(): void {
  serverEpoch++;
}

/** The failure of a call made while another server was in use: it must not touch this one's screen. */
export function fromEarlierServer(error: IpcError): boolean {
  const epoch = askedIn.get(error);
  return epoch !== undefined && epoch !== serverEpoch;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const epoch = serverEpoch;
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    const ipc = toIpcError(error);
    askedIn.set(ipc, epoch);
    throw ipc;
  }
}

/** Tells the shell the first screen is painted (the start-up benchmark times this). */
export const appReady = (marks?: Record<string, number>) => call<void>("app_ready", { marks });

/**
 * The page's start, in one request (at start-up every request in flight delays the others'
 * answers): the session, the settings or drafts files that could not be read (kept aside, each told
 * once) and, in demo builds, the demo account; from then on `onState` hears when a session changes
 * on its own (e.g. the keychain refused to keep it).
 */
export const sessionStart = (onState: (state: SessionState) => void) =>
  call<StartState>("session_start", { updates: new Channel<SessionState>(onState) });
/** The session again (a retry after the start's restore failed). */
export const sessionRestore = () => call<SessionState>("session_restore");
export const signIn = (request: SignInRequest) => call<SessionState>("sign_in", { request });
export const signOut = () => call<SessionState>("sign_out");
/** What a typed server address means (Rust's rule): the API root, or invalid/insecure_address. */
export const serverAddressCheck = (input: string) => call<AddressCheck>("server_address_check", { input });
/** Deletes the saved API key and the remembered profile of this server. */
export const forgetServer = () => call<SessionState>("forget_server");
export const openAccessRequest = () => call<void>("open_access_request");

/** Every organisation: rows come to `onRows` as the pages arrive (the first page at once); the
 * answer (which is active, whether contacts exist) comes once every row has been sent. */
export const organisationsList = (onRows: (message: OrganisationRows) => void) =>
  call<OrganisationsListed>("organisations_list", { rows: new Channel<OrganisationRows>(onRows) });
/** The whole organisation, for the form (the list holds only rows). */
export const organisationGet = (id: number) => call<Organisation>("organisation_get", { id });
export const organisationCreate = (draft: OrganisationDraft) =>
  call<Organisation>("organisation_create", { draft });
/** Saves an edit of `base` (the organisation as the form opened it): only what changed is sent. */
export const organisationUpdate = (id: number, base: Organisation, draft: OrganisationDraft) =>
  call<Organisation>("organisation_update", { id, base, draft });
export const organisationMakeActive = (id: number) => call<Activation>("organisation_make_active", { id });

/**
 * Every unsaved form of this account: one per organisation, one for a new one. `server` (the
 * address the form was opened for) keeps a form's draft with its own server after a switch.
 */
export const draftLoad = () => call<SavedDraft[]>("draft_load");
export const draftSave = (saved: SavedDraft, server: string | null = null) => call<void>("draft_save", { saved, server });
export const draftDiscard = (editingId: number | null, server: string | null = null) =>
  call<void>("draft_discard", { editingId, server });

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

/** Server profiles: each answer has every profile, the one in use and its session state. */
export const serversList = () => call<ServersView>("servers_list");
export const serverAdd = (input: ServerInput) => call<ServersView>("server_add", { input });
export const serverUpdate = (id: string, input: ServerInput) => call<ServersView>("server_update", { id, input });
/** Forgets the profile: its API key and session leave the keychain. */
export const serverRemove = (id: string) => call<ServersView>("server_remove", { id });
/** Switches to a profile (`null`: another server); a signed-in one is in use at once. */
export const serverSelect = (id: string | null) => call<ServersView>("server_select", { id });
/** Whether the server can be reached (the event `connection-state`, decided in Rust). */
export const onConnectionState = (f: (state: ConnectionState) => void) =>
  listen<ConnectionState>("connection-state", (e) => f(e.payload));
/** "Retry now": the shell probes the server at once. */
export const connectionRetry = () => call<void>("connection_retry");
/** Import from a spreadsheet: the shell reads and keeps the file; the window sees what it needs. */
export const importOpen = () => call<ImportFile>("import_open");
/** What each row will become; `known`: the currency codes the picker offers. */
export const importPreview = (options: PreviewOptions, known: string[]) => call<Preview>("import_preview", { options, known });
/** Sends the previewed import; `onProgress` after every row. */
export function importRun(choices: Choices, onProgress: (p: Progress) => void): Promise<Report> {
  const progress = new Channel<Progress>();
  progress.onmessage = onProgress;
  return call<Report>("import_run", { choices, progress });
}
export const importCancel = () => call<void>("import_cancel");
/** Asks where to save the report; `false` when the person cancels. */
export const importReportSave = (columns: [string, string], words: RowWords[]) => call<boolean>("import_report_save", { columns, words });
