import { describe, expect, it } from "vitest";
import { en } from "./i18n/en";
import { es } from "./i18n/es";

// The Account, About, theme, shortcut and key-dialog strings: both catalogs complete.
const PREFIXES = ["userMenu.", "account.", "role.", "password.", "strength.", "apiKey.", "keyDialog.", "appearance.", "theme.", "about.", "shortcut."];

describe("account catalogs", () => {
  const keys = (Object.keys(en) as (keyof typeof en)[]).filter((k) => PREFIXES.some((p) => k.startsWith(p)));

  it("have every key in both languages, written in each", () => {
    expect(keys.length).toBeGreaterThan(60);
    for (const key of keys) {
      expect(en[key].trim(), key).not.toBe("");
      expect(es[key]?.trim(), key).toBeTruthy();
      expect(es[key], key).not.toBe(en[key]);
    }
  });

  it("keep the same placeholders", () => {
    for (const key of keys) {
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(es[key]), key).toEqual(names(en[key]));
    }
  });
});
