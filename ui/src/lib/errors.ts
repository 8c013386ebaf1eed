import type { ErrorCode } from "./bindings/ErrorCode";
import type { IpcError } from "./bindings/IpcError";

export type SignInField = "server" | "apiKey" | "username" | "email" | "password";

const SIGN_IN_FIELD_BY_CODE: Partial<Record<ErrorCode, SignInField>> = {
  unreachable: "server",
  timeout: "server",
  tls: "server",
  not_oas: "server",
  invalid_address: "server",
  insecure_address: "server",
  api_key_rejected: "apiKey",
  wrong_credentials: "password",
};

const SIGN_IN_FIELD_BY_SERVER_NAME: Record<string, SignInField> = {
  username: "username",
  email: "email",
  password: "password",
  non_field_errors: "password",
  api_key: "apiKey",
  server: "server",
};

export type PlacedErrors<F extends string> = {
  fields: Partial<Record<F, string>>;
  /** Whatever does not belong to a field; shown in a banner. */
  banner: string | null;
};

/**
 * Puts a sign-in failure next to the field it concerns. `describe` turns an error code into
 * the person's language; server-provided field messages are shown as they come.
 */
export function placeSignInError(error: IpcError, describe: (e: IpcError) => string): PlacedErrors<SignInField> {
  const field = SIGN_IN_FIELD_BY_CODE[error.code];
  if (field) return { fields: { [field]: describe(error) }, banner: null };
  if (error.code === "validation" && error.fields) {
    return placeFieldErrors(error, SIGN_IN_FIELD_BY_SERVER_NAME, describe);
  }
  return { fields: {}, banner: describe(error) };
}

/** Maps server field names (`base_currency`) to form fields; unknown names go to the banner. */
export function placeFieldErrors<F extends string>(
  error: IpcError,
  byServerName: Record<string, F>,
  describe: (e: IpcError) => string,
): PlacedErrors<F> {
  const fields: Partial<Record<F, string>> = {};
  const leftovers: string[] = [];
  for (const [name, messages] of Object.entries(error.fields ?? {})) {
    const text = (messages ?? []).join(" ");
    const field = byServerName[name] ?? byServerName[name.split(/[.[]/)[0]];
    if (field) fields[field] = fields[field] ? `${fields[field]} ${text}` : text;
    else if (text) leftovers.push(text);
  }
  const placedAny = Object.keys(fields).length > 0;
  const banner = leftovers.length > 0 ? leftovers.join(" ") : placedAny ? null : describe(error);
  return { fields, banner };
}
