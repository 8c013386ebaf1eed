import type { Contact } from "./Contact";

export type OrganisationDraft = { name: string, baseCurrency: string, currencies: Array<string>, image: string, contacts: Array<Contact> | null, };
