/** The OAS production server, offered until the person has used another one. */
export const DEFAULT_SERVER = "https://oas-beta.ottomate.me";

// What an address means (normalisation, http only for this computer) is decided in Rust:
// `commands.serverAddressCheck`. This file only words an API root for display.

/** The address as a person would write it: `https://host` for `https://host/api/`. */
export function displayServer(apiRoot: string): string {
  return apiRoot.replace(/\/api\/?$/, "");
}
