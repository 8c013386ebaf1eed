import type { Organisation } from "./Organisation";

export type OrganisationsView = { organisations: Array<Organisation>, activeId: number | null, contactsSupported: boolean, };
