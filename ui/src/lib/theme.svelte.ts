import type { Theme } from "./bindings/Theme";
import * as commands from "./commands";

/** The chosen scheme (kept by Rust in the settings store) and the one in effect. */
export const theme = $state<{ choice: Theme; systemDark: boolean }>({ choice: "system", systemDark: false });

export function effectiveTheme(): "light" | "dark" {
  if (theme.choice === "system") return theme.systemDark ? "dark" : "light";
  return theme.choice;
}

function apply(): void {
  if (typeof document !== "undefined") document.documentElement.dataset.theme = effectiveTheme();
}

/** The choice this window last applied, a copy of the settings' (which Rust keeps): the first
 * screen paints in it without waiting for IPC. Not a secret, like the language beside it. */
const SHOWN_KEY = "oas.theme";

function lastShown(): Theme | null {
  try {
    const value = globalThis.localStorage?.getItem(SHOWN_KEY);
    return value === "system" || value === "light" || value === "dark" ? value : null;
  } catch {
    return null;
  }
}

function show(choice: Theme): void {
  theme.choice = choice;
  apply();
  try {
    localStorage.setItem(SHOWN_KEY, choice);
  } catch {
    // Storage can be unavailable: the next start waits for the settings instead.
  }
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
  theme.choice = lastShown() ?? theme.choice;
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
