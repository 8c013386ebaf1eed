/** The OAS production server, offered until the person has used another one. */
export const DEFAULT_SERVER = "https://oas-beta.ottomate.me";

export type AddressProblem = "required" | "invalid" | "insecure";
export type NormalisedAddress = { ok: true; apiRoot: string } | { ok: false; problem: AddressProblem };

/** Path segments of the documentation pages people copy from the browser. */
const DOC_SEGMENTS = new Set(["docs", "doc", "swagger", "redoc", "schema", "admin"]);

/** True for addresses that never leave this computer, where plain http:// is acceptable. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "[::1]" || host === "::1") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Turns whatever a person pastes (`https://host`, `host/api/docs/`, `https://host/api`) into the
 * API root `https://host/api/`. Plain http:// is refused except on loopback addresses.
 */
export function normaliseServerAddress(input: string): NormalisedAddress {
  const text = input.trim();
  if (text === "") return { ok: false, problem: "required" };
  if (/\s/.test(text)) return { ok: false, problem: "invalid" };

  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  let withScheme: string;
  if (schemeMatch) {
    const scheme = schemeMatch[1].toLowerCase();
    if (scheme !== "http" && scheme !== "https") return { ok: false, problem: "invalid" };
    withScheme = text;
  } else {
    if (/^[a-z][a-z0-9+.-]*:(?!\d)/i.test(text) && !/^\[/.test(text)) return { ok: false, problem: "invalid" };
    withScheme = `https://${text}`;
  }

  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, problem: "invalid" };
  }
  if (url.username || url.password) return { ok: false, problem: "invalid" };
  const host = url.hostname;
  if (!host || !/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/i.test(host) || host.startsWith(".") || host.includes("..")) {
    return { ok: false, problem: "invalid" };
  }
  if (url.protocol === "http:" && !isLoopbackHost(host)) return { ok: false, problem: "insecure" };
  // A bare loopback address means the local sandbox, which speaks plain http.
  if (!schemeMatch && isLoopbackHost(host)) url.protocol = "http:";

  const segments = url.pathname.split("/").filter((s) => s !== "");
  const apiAt = segments.findIndex((s) => s.toLowerCase() === "api");
  let prefix: string[];
  if (apiAt >= 0) {
    prefix = segments.slice(0, apiAt);
  } else {
    prefix = segments;
    while (prefix.length > 0 && DOC_SEGMENTS.has(prefix[prefix.length - 1].toLowerCase())) {
      prefix = prefix.slice(0, -1);
    }
  }
  const path = [...prefix, "api"].join("/");
  return { ok: true, apiRoot: `${url.protocol}//${url.host}/${path}/` };
}

/** The address as a person would write it: `https://host` for `https://host/api/`. */
export function displayServer(apiRoot: string): string {
  return apiRoot.replace(/\/api\/?$/, "");
}
