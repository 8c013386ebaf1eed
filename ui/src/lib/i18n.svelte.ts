import type { IpcError } from "./bindings/IpcError";
import { en } from "./i18n/en";
import { es } from "./i18n/es";

export type Locale = "en" | "es";
export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;

export const LOCALES: Record<Locale, { catalog: Catalog; name: string }> = {
  en: { catalog: en, name: "English" },
  es: { catalog: es, name: "Español" },
};

// The language choice is a preference, not a secret: localStorage is the right place.
const STORAGE_KEY = "oas.locale";

function isLocale(value: unknown): value is Locale {
  return value === "en" || value === "es";
}

export function detectLocale(): Locale {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (isLocale(saved)) return saved;
  } catch {
    // Storage can be unavailable; the browser language still works.
  }
  const languages = globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? "en"];
  for (const language of languages) {
    const base = language?.toLowerCase().split("-")[0];
    if (isLocale(base)) return base;
  }
  return "en";
}

export const i18n = $state<{ locale: Locale }>({ locale: detectLocale() });

export function setLocale(locale: Locale): void {
  i18n.locale = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not fatal: the choice simply lasts for this run.
  }
  if (typeof document !== "undefined") document.documentElement.lang = locale;
}

/** The message for `key` in the current language, with `{name}` placeholders filled in. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = LOCALES[i18n.locale].catalog[key] ?? en[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Our own words for a failure; the server's message only when we have none. */
export function describeError(error: IpcError): string {
  const key = `error.${error.code}` as MessageKey;
  const catalog = LOCALES[i18n.locale].catalog;
  if (key in catalog && error.code !== "unexpected" && error.code !== "validation") return catalog[key];
  if (error.message) return error.message;
  return catalog[key] ?? catalog["error.unexpected"];
}
