// Updates as the person sees them: what the last check found, and whether any form holds unsaved
// work (installing restarts the app, so it waits; Rust refuses too, see commands/updates.rs).
import type { IpcError } from "./bindings/IpcError";
import type { UpdateCheck } from "./bindings/UpdateCheck";
import * as commands from "./commands";

export const updates = $state<{
  check: UpdateCheck | null;
  checking: boolean;
  checkError: IpcError | null;
  installing: boolean;
  installError: IpcError | null;
  /** "Later" hides the prompt until the next check. */
  dismissed: boolean;
}>({ check: null, checking: false, checkError: null, installing: false, installError: null, dismissed: false });

/** The update to offer: the one the last check found, unless "Later" was chosen since. */
export function offeredUpdate(): Extract<UpdateCheck, { status: "available" }> | null {
  return updates.check?.status === "available" && !updates.dismissed ? updates.check : null;
}

/** Forms with unsaved work, by name; installing waits until there is none. */
export const unsavedWork = $state<{ forms: string[] }>({ forms: [] });

export function setUnsavedWork(form: string, dirty: boolean): void {
  const had = unsavedWork.forms.includes(form);
  if (dirty === had) return;
  unsavedWork.forms = dirty ? [...unsavedWork.forms, form] : unsavedWork.forms.filter((f) => f !== form);
  void commands.unsavedWorkSet(unsavedWork.forms.length > 0).catch(() => {
    // Rust keeps its last answer; the UI still disables Install while work is unsaved.
  });
}

export async function checkForUpdates(): Promise<void> {
  if (updates.checking || updates.installing) return;
  updates.checking = true;
  updates.checkError = null;
  try {
    updates.check = await commands.updateCheck();
    updates.dismissed = false;
    updates.installError = null;
  } catch (error) {
    updates.checkError = error as IpcError;
  } finally {
    updates.checking = false;
  }
}

/** Installs and restarts; on success this never returns (the app restarts as the new version). */
export async function installUpdate(): Promise<void> {
  if (updates.installing || unsavedWork.forms.length > 0) return;
  updates.installing = true;
  updates.installError = null;
  try {
    await commands.updateInstall();
  } catch (error) {
    updates.installError = error as IpcError;
  } finally {
    updates.installing = false;
  }
}
