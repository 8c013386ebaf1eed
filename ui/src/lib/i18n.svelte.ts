import type { ErrorCode } from "./bindings/ErrorCode";
import type { IpcError } from "./bindings/IpcError";
import { en } from "./i18n/en";
import { readPreference, writePreference } from "./preferences";

export type Locale = "en" | "es";
export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;

/** Each language by its own name, as the language menu offers it. */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", es: "Español" };

// English is always here (every other catalog falls back to it); another language's words are
// loaded when it is first used, so a start in English never reads them.
const catalogs: Partial<Record<Locale, Catalog>> = { en };
const loaders: Record<Locale, () => Promise<Catalog>> = {
  en: async () => en,
  es: async () => (await import("./i18n/es")).es,
};

/** Loads the words of `locale` (at once when they are already here). */
export async function loadCatalog(locale: Locale): Promise<void> {
  catalogs[locale] ??= await loaders[locale]();
}

const STORAGE_KEY = "oas.locale";
const SUPPORTED: readonly Locale[] = ["en", "es"];

function isLocale(value: unknown): value is Locale {
  return SUPPORTED.some((l) => l === value);
}

export function detectLocale(): Locale {
  const saved = readPreference(STORAGE_KEY, SUPPORTED);
  if (saved) return saved;
  const languages = globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? "en"];
  for (const language of languages) {
    const base = language?.toLowerCase().split("-")[0];
    if (isLocale(base)) return base;
  }
  return "en";
}

export const i18n = $state<{ locale: Locale }>({ locale: detectLocale() });

/** Resolves once the words of the language the app starts in are here (main.ts mounts then). */
export function i18nReady(): Promise<void> {
  return loadCatalog(i18n.locale);
}

/** Switches the language: at once when its words are here, else once they are loaded. */
export function setLocale(locale: Locale): Promise<void> {
  const show = () => {
    i18n.locale = locale;
    writePreference(STORAGE_KEY, locale);
    if (typeof document !== "undefined") document.documentElement.lang = locale;
  };
  if (catalogs[locale]) {
    show();
    return Promise.resolve();
  }
  return loadCatalog(locale).then(show);
}

/** The message for `key` in the current language, with `{name}` placeholders filled in. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = catalogs[i18n.locale]?.[key] ?? en[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Fails to type-check when an error code has no `error.<code>` entry in the catalogs. */
type ErrorKey = `error.${ErrorCode}`;
const everyErrorCodeHasAKey: ErrorKey extends MessageKey ? true : never = true;
void everyErrorCodeHasAKey;

/** The server's own words for a validation failure that concerns no field, as it gave them. */
function nonFieldMessages(error: IpcError): string | null {
  const fields = error.fields ?? {};
  const names = Object.keys(fields);
  if (names.length === 0 || names.some((name) => name !== "non_field_errors")) return null;
  const text = (fields.non_field_errors ?? []).join(" ").trim();
  return text === "" ? null : text;
}

/**
 * Our own words for a failure, in the current language. The error's `message` is for logs and
 * is never shown; only a validation failure that concerns no field shows the server's words.
 */
export function describeError(error: IpcError): string {
  if (error.code === "validation") {
    const server = nonFieldMessages(error);
    if (server) return server;
  }
  const seconds = error.code === "throttled" ? error.retryAfterSeconds : undefined;
  if (seconds !== undefined && seconds > 0) {
    if (seconds <= 1) return t("error.throttled.oneSecond");
    if (seconds <= 90) return t("error.throttled.seconds", { seconds });
    return t("error.throttled.minutes", { minutes: Math.ceil(seconds / 60) });
  }
  const key: ErrorKey = `error.${error.code}`;
  return key in (catalogs[i18n.locale] ?? en) ? t(key) : t("error.unexpected");
}
