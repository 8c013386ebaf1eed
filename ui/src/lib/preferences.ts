// Preferences the page keeps for itself (the language; a copy of the theme for the first paint):
// not secrets, so the webview's own storage is the right place. Storage can be unavailable
// (private modes, a full or broken profile): then nothing is read and nothing is kept.

/** The stored value of `key`, if it is one of `allowed`. */
export function readPreference<T extends string>(key: string, allowed: readonly T[]): T | null {
  try {
    const value = globalThis.localStorage?.getItem(key);
    return allowed.find((a) => a === value) ?? null;
  } catch {
    return null;
  }
}

/** Keeps `value` for the next start; without storage it lasts for this run only. */
export function writePreference(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // Not fatal: see above.
  }
}
