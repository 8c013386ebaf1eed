import { afterEach, describe, expect, it, vi } from "vitest";
import { en } from "./i18n/en";
import { es } from "./i18n/es";
import { setLocale } from "./i18n.svelte";

afterEach(() => setLocale("en"));

describe("a language's words, loaded when first used", () => {
  it("switches only once they are here, showing English meanwhile, never a key", async () => {
    // A fresh copy of the module: only English is loaded, as at a start in English.
    vi.resetModules();
    const fresh = await import("./i18n.svelte");
    const switching = fresh.setLocale("es");
    expect(fresh.i18n.locale).toBe("en");
    expect(fresh.t("common.close")).toBe(en["common.close"]);
    await switching;
    expect(fresh.i18n.locale).toBe("es");
    expect(fresh.t("common.close")).toBe(es["common.close"]);
    expect(document.documentElement.lang).toBe("es");
  });

  it("a start in Spanish waits for its words before the first screen is built", async () => {
    localStorage.setItem("oas.locale", "es");
    vi.resetModules();
    const fresh = await import("./i18n.svelte");
    expect(fresh.i18n.locale).toBe("es");
    // Not here yet: a screen built now would be in English, so main.ts mounts after this.
    expect(fresh.t("common.close")).toBe(en["common.close"]);
    await fresh.i18nReady();
    expect(fresh.t("common.close")).toBe(es["common.close"]);
  });
});
