// Keyboard shortcuts for the frequent actions. A screen offers an action by marking its control
// with data-shortcut="new|search|refresh|save"; the shortcut clicks (or focuses) that control,
// so a shortcut does exactly what the visible button does and nothing when the button is absent.
export type Shortcut = "new" | "search" | "refresh" | "save";

export const SHORTCUTS: readonly Shortcut[] = ["new", "search", "refresh", "save"];

export function isMac(): boolean {
  return /Mac|iPhone|iPad/.test(globalThis.navigator?.platform ?? "");
}

/** Which shortcut a key press is: Ctrl (Cmd on macOS) + N, F, R or S, and F5. */
export function shortcutFor(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">, mac = isMac()): Shortcut | null {
  if (event.key === "F5" && !event.altKey) return "refresh";
  const command = mac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
  if (!command || event.altKey || event.shiftKey) return null;
  switch (event.key.toLowerCase()) {
    case "n":
      return "new";
    case "f":
      return "search";
    case "r":
      return "refresh";
    case "s":
      return "save";
    default:
      return null;
  }
}

/** The keys to show for a shortcut, e.g. "Ctrl+N" or "⌘N". */
export function keysOf(shortcut: Shortcut, mac = isMac()): string[] {
  const letter = { new: "N", search: "F", refresh: "R", save: "S" }[shortcut];
  const chord = mac ? `⌘${letter}` : `Ctrl+${letter}`;
  return shortcut === "refresh" ? ["F5", chord] : [chord];
}

function target(shortcut: Shortcut): HTMLElement | null {
  const el = document.querySelector<HTMLElement>(`[data-shortcut="${shortcut}"]`);
  return el && !(el as HTMLButtonElement).disabled ? el : null;
}

/**
 * Handles a key press; `open` shows the screen that offers an action the current one lacks
 * (Ctrl+N and Ctrl+F from elsewhere open the organisations). Returns whether it was handled.
 * Reloading the window is always prevented: it would lose what was typed.
 */
export async function handleShortcut(event: KeyboardEvent, open: () => Promise<void>): Promise<boolean> {
  const shortcut = shortcutFor(event);
  if (!shortcut) return false;
  event.preventDefault();
  if (document.querySelector("dialog[open]")) return true;
  let el = target(shortcut);
  if (!el && (shortcut === "new" || shortcut === "search")) {
    await open();
    el = target(shortcut);
  }
  if (!el) return true;
  if (shortcut === "search") {
    el.focus();
    (el as HTMLInputElement).select?.();
  } else {
    el.click();
  }
  return true;
}
