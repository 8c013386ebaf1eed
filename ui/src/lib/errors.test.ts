import { afterEach, describe, expect, it } from "vitest";
import { ERROR_CODES } from "./bindings/errorCodes";
import type { IpcError } from "./bindings/IpcError";
import { toIpcError } from "./commands";
import { describeError, setLocale, type Locale } from "./i18n.svelte";
import { en } from "./i18n/en";
import { es } from "./i18n/es";

const catalogs: Record<Locale, Record<string, string>> = { en, es };

afterEach(() => setLocale("en"));

describe("error catalogs", () => {
  // Driven by the list generated from the Rust enum: a new code fails here until both
  // languages have words for it.
  it.each(ERROR_CODES.flatMap((code) => (["en", "es"] as const).map((locale) => [code, locale] as const)))(
    "%s has a message in %s",
    (code, locale) => {
      const text = catalogs[locale][`error.${code}`];
      expect(text, `error.${code} in ${locale}`).toBeTruthy();
      expect(text.trim()).toBe(text);
    },
  );

  it("shows the catalog's words, never the log message", () => {
    for (const locale of ["en", "es"] as const) {
      setLocale(locale);
      for (const code of ERROR_CODES) {
        const shown = describeError({ code, message: "log text for developers" });
        expect(shown).toBe(catalogs[locale][`error.${code}`]);
      }
    }
  });
});

describe("describeError", () => {
  const throttled = (retryAfterSeconds?: number): IpcError => ({ code: "throttled", message: "throttled", retryAfterSeconds });

  it("says how long to wait when the server said", () => {
    expect(describeError(throttled())).toBe(en["error.throttled"]);
    expect(describeError(throttled(1))).toBe("Too many attempts. Try again in a second.");
    expect(describeError(throttled(17))).toBe("Too many attempts. Try again in 17 seconds.");
    expect(describeError(throttled(90))).toBe("Too many attempts. Try again in 90 seconds.");
    expect(describeError(throttled(600))).toBe("Too many attempts. Try again in 10 minutes.");
    expect(describeError(throttled(601))).toBe("Too many attempts. Try again in 11 minutes.");
    setLocale("es");
    expect(describeError(throttled(17))).toBe("Demasiados intentos. Inténtalo de nuevo dentro de 17 segundos.");
    expect(describeError(throttled(3600))).toBe("Demasiados intentos. Inténtalo de nuevo dentro de 60 minutos.");
  });

  it("shows a validation failure that concerns no field as the server gave it", () => {
    const disabled: IpcError = {
      code: "validation",
      message: "validation failed: non_field_errors",
      fields: { non_field_errors: ["User account is disabled."] },
    };
    expect(describeError(disabled)).toBe("User account is disabled.");
    setLocale("es");
    expect(describeError(disabled)).toBe("User account is disabled.");
    const onFields: IpcError = { code: "validation", message: "validation failed: name", fields: { name: ["Required."] } };
    expect(describeError(onFields)).toBe(es["error.validation"]);
  });

  it("treats an unknown code as unexpected", () => {
    const odd = toIpcError({ code: "martian", message: "x" });
    expect(odd.code).toBe("unexpected");
    expect(describeError(odd)).toBe(en["error.unexpected"]);
    expect(toIpcError(new Error("boom")).code).toBe("unexpected");
  });
});
