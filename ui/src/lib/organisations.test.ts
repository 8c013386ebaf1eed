import { describe, expect, it } from "vitest";
import type { Organisation } from "./bindings/Organisation";
import {
  filterOrganisations,
  indexOrganisations,
  organisationsCsv,
  sortOrganisations,
} from "./organisations";

const org = (id: number, name: string, base = "USD", currencies = [base], extra: Partial<Organisation> = {}): Organisation => ({
  id, name, baseCurrency: base, currencies, image: null, isActive: null, contacts: null, ...extra,
});

const list = [
  org(1, "Zeta Corp", "EUR", ["EUR", "USD"]),
  org(3, "acme", "MXN", ["MXN"]),
  org(2, "Ácaro Ltd", "GBP", ["GBP", "JPY"]),
  org(10, "Org 10"),
  org(9, "Org 9"),
];

describe("sorting and filtering", () => {
  const indexed = indexOrganisations(list);

  it("sorts by name, ignoring case and accents, numbers in order", () => {
    expect(sortOrganisations(indexed, "name", "en").map((i) => i.organisation.id)).toEqual([2, 3, 9, 10, 1]);
  });

  it("sorts newest first by id", () => {
    expect(sortOrganisations(indexed, "newest", "en").map((i) => i.organisation.id)).toEqual([10, 9, 3, 2, 1]);
  });

  it("finds by name, without caring about accents or case", () => {
    expect(filterOrganisations(indexed, "ACARO").map((o) => o.id)).toEqual([2]);
    expect(filterOrganisations(indexed, "zeta").map((o) => o.id)).toEqual([1]);
  });

  it("finds by currency", () => {
    expect(filterOrganisations(indexed, "jpy").map((o) => o.id)).toEqual([2]);
    expect(filterOrganisations(indexed, "usd").map((o) => o.id)).toEqual([1, 10, 9]);
  });

  it("needs every word to match", () => {
    expect(filterOrganisations(indexed, "org 9").map((o) => o.id)).toEqual([9]);
    expect(filterOrganisations(indexed, "  ")).toHaveLength(5);
  });

  // How fast it is belongs to bench/ (ui_organisations.mjs), not to a timed assertion here.
  it("filters 10,000 organisations", () => {
    const many = indexOrganisations(Array.from({ length: 10_000 }, (_, i) => org(i + 1, `Organisation ${i + 1}`, "EUR", ["EUR", "USD"])));
    const found = filterOrganisations(many, "organisation 999");
    expect(found.map((o) => o.id)).toEqual(expect.arrayContaining([999, 1999, 9990, 9999]));
    expect(found).toHaveLength(19);
  });
});

describe("organisationsCsv", () => {
  it("writes a header and quotes what needs quoting", () => {
    const csv = organisationsCsv(
      [
        org(1, 'Acme, "the best"', "USD", ["USD", "EUR"], { image: "https://x/a.png" }),
        org(2, "Line\nbreak"),
        org(3, "=SUM(A1)"),
        org(4, "Plain"),
      ],
      4,
    );
    expect(csv.startsWith("\uFEFF")).toBe(true);
    expect(csv.slice(1).split("\r\n")).toEqual([
      "id,name,base_currency,currencies,image,active",
      '1,"Acme, ""the best""",USD,USD EUR,https://x/a.png,no',
      '2,"Line\nbreak",USD,USD,,no',
      "3,'=SUM(A1),USD,USD,,no",
      "4,Plain,USD,USD,,yes",
      "",
    ]);
  });
});

describe("the export read back by the import", () => {
  // crates/oas-import/tests/parse.rs imports this very file and checks it comes back unchanged.
  it("is the file the import's round-trip test reads", async () => {
    // Read from disk as theme.test.ts does (the UI has no Node types, hence the cast).
    const fsModule = "node:fs";
    const { readFileSync } = (await import(/* @vite-ignore */ fsModule)) as { readFileSync(path: string, encoding: "utf8"): string };
    const cwd = (globalThis as unknown as { process: { cwd(): string } }).process.cwd(); // ui/
    const fixture = readFileSync(`${cwd}/../crates/oas-import/tests/fixtures/exported-by-the-app.csv`, "utf8");
    const list = [
      org(1, "Acme", "USD", ["USD", "EUR"], { image: "https://example.com/a.png" }),
      org(2, "=SUM(A1)", "EUR"),
      org(3, "Núñez, Hijos & \"Cía\"", "MXN", ["MXN", "USD"]),
    ];
    expect(organisationsCsv(list, 1)).toBe(fixture);
  });
});
