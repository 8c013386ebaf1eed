import type { OrganisationRow } from "./bindings/OrganisationRow";
import { foldText } from "./currencies";

export type SortOrder = "name" | "newest";

export type IndexedOrganisation = { organisation: OrganisationRow; haystack: string };

/** Pre-folds the searchable text once, so each keystroke is a cheap `includes` per row. */
export function indexOrganisations(list: readonly OrganisationRow[]): IndexedOrganisation[] {
  return list.map((organisation) => ({
    organisation,
    haystack: foldText(`${organisation.name}\u0000${organisation.baseCurrency} ${organisation.currencies.join(" ")}`),
  }));
}

export function sortOrganisations(list: readonly IndexedOrganisation[], order: SortOrder, locale: string): IndexedOrganisation[] {
  const copy = list.slice();
  if (order === "newest") {
    copy.sort((a, b) => b.organisation.id - a.organisation.id);
  } else {
    const collator = new Intl.Collator(locale, { sensitivity: "base", numeric: true });
    copy.sort((a, b) => collator.compare(a.organisation.name, b.organisation.name) || a.organisation.id - b.organisation.id);
  }
  return copy;
}

/** Matches name or currency code; every word typed must match. */
export function filterOrganisations(list: readonly IndexedOrganisation[], query: string): OrganisationRow[] {
  const words = foldText(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return list.map((i) => i.organisation);
  // A plain loop: no closure per row, so a keystroke over 10,000 rows allocates almost nothing.
  const out: OrganisationRow[] = [];
  rows: for (const item of list) {
    for (const word of words) if (!item.haystack.includes(word)) continue rows;
    out.push(item.organisation);
  }
  return out;
}

function csvCell(value: string): string {
  // A leading = + - @ would run as a formula in spreadsheet programs.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 CSV (CRLF line ends, quoted where needed) with a BOM so spreadsheets read UTF-8. */
export function organisationsCsv(list: readonly OrganisationRow[], activeId: number | null): string {
  const header = ["id", "name", "base_currency", "currencies", "image", "active"];
  const rows = list.map((o) => [
    String(o.id),
    o.name,
    o.baseCurrency,
    o.currencies.join(" "),
    o.image ?? "",
    o.id === activeId ? "yes" : "no",
  ]);
  return "\uFEFF" + [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
