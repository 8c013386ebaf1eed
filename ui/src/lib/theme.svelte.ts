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

/** Follows the OS (`prefers-color-scheme`) and loads the saved choice. */
export async function startTheme(): Promise<void> {
  // Asked first: the answer is on its way while the OS's scheme is read.
  const saved = commands.themeGet();
  const query = globalThis.matchMedia?.("(prefers-color-scheme: dark)");
  if (query) {
    theme.systemDark = query.matches;
    query.addEventListener?.("change", (e) => {
      theme.systemDark = e.matches;
      apply();
    });
  }
  apply();
  try {
    theme.choice = await saved;
  } catch {
    // Without the saved choice the OS's scheme is used.
  }
  apply();
}

export async function setTheme(choice: Theme): Promise<void> {
  theme.choice = choice;
  apply();
  try {
    await commands.themeSet(choice);
  } catch {
    // Not saved: the choice lasts for this run.
  }
}
