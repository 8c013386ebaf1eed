import type { Contact } from "./Contact";

export type Organisation = { id: number, name: string, baseCurrency: string, currencies: Array<string>, image: string | null, isActive: boolean | null, contacts: Array<Contact> | null, };
