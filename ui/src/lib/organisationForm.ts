import type { OrganisationDraft } from "./bindings/OrganisationDraft";
import type { MessageKey } from "./i18n.svelte";

export type DraftField = "name" | "baseCurrency" | "currencies" | "image" | "contacts";

export const DRAFT_SAVE_DELAY_MS = 600;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The form's own rules, checked before anything is sent. */
export function checkDraft(draft: OrganisationDraft, t: (key: MessageKey) => string): Partial<Record<DraftField, string>> {
  const errors: Partial<Record<DraftField, string>> = {};
  if (draft.name.trim() === "") errors.name = t("form.nameRequired");
  if (draft.baseCurrency === "") errors.baseCurrency = t("form.baseRequired");
  if (draft.currencies.length === 0) errors.currencies = t("form.currenciesRequired");
  const image = draft.image.trim();
  if (image !== "") {
    let ok = false;
    try {
      const url = new URL(image);
      ok = (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
    } catch {
      ok = false;
    }
    if (!ok) errors.image = t("form.imageInvalid");
  }
  for (const contact of draft.contacts ?? []) {
    if (contact.name.trim() === "") {
      errors.contacts = t("form.contactNameRequired");
      break;
    }
    if (contact.email && !EMAIL.test(contact.email.trim())) {
      errors.contacts = t("form.contactEmailInvalid");
      break;
    }
  }
  return errors;
}
