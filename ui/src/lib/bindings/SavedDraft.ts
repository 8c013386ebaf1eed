import type { OrganisationDraft } from "./OrganisationDraft";

export type SavedDraft = { editingId: number | null, draft: OrganisationDraft, };
