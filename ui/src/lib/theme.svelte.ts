import type { Theme } from "./bindings/Theme";
import * as commands from "./commands";
import { readPreference, writePreference } from "./preferences";

/** The chosen scheme (kept by Rust in the settings store) and the one in effect. */
export const theme = $state<{ choice: Theme; systemDark: boolean }>({ choice: "system", systemDark: false });

export function effectiveTheme(): "light" | "dark" {
  if (theme.choice === "system") return theme.systemDark ? "dark" : "light";
  return theme.choice;
}

function apply(): void {
  if (typeof document !== "undefined") document.documentElement.dataset.theme = effectiveTheme();
}

/** A copy of the choice this window last applied (Rust's settings keep the choice itself): the
 * first screen paints in it without waiting for IPC. */
const SHOWN_KEY = "oas.theme";
const THEMES: readonly Theme[] = ["system", "light", "dark"];

function show(choice: Theme): void {
  theme.choice = choice;
  apply();
  writePreference(SHOWN_KEY, choice);
}

/**
 * Follows the OS (`prefers-color-scheme`) and applies the saved choice: at once the one last shown
 * (on a first start, the OS's), then the settings' answer when it comes, which wins. Nothing waits
 * for that answer: it differs from the copy only when the window's storage was wiped.
 */
export function startTheme(): void {
  const saved = commands.themeGet();
  const query = globalThis.matchMedia?.("(prefers-color-scheme: dark)");
  if (query) {
    theme.systemDark = query.matches;
    query.addEventListener?.("change", (e) => {
      theme.systemDark = e.matches;
      apply();
    });
  }
  theme.choice = readPreference(SHOWN_KEY, THEMES) ?? theme.choice;
  apply();
  saved.then(show, () => {
    // Without the saved choice the last shown one (or the OS's scheme) stays.
  });
}

export async function setTheme(choice: Theme): Promise<void> {
  show(choice);
  try {
    await commands.themeSet(choice);
  } catch {
    // Not saved: the choice lasts for this run.
  }
}
