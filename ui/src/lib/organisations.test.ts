import { describe, expect, it, vi } from "vitest";
import type { Organisation } from "./bindings/Organisation";
import {
  filterOrganisations,
  indexOrganisations,
  organisationSorter,
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

describe("organisationSorter", () => {
  // Names in no order, as a server lists them by id: accents, case, numbers, the same name twice.
  const words = ["Zeta", "acme", "Ácaro", "Org 10", "Org 9", "ñandú", "Nube", "école", "Ecole", "Org 100", "beta"];
  const many = indexOrganisations(
    Array.from({ length: 2_000 }, (_, i) => org(i + 1, `${words[(i * 7) % words.length]} ${(i * 7919) % 503}`)),
  );
  const ids = (list: { organisation: { id: number } }[]) => list.map((i) => i.organisation.id);

  it.each([
    ["name", "en"],
    ["name", "es"],
    ["newest", "en"],
  ] as const)("sorts a list that grows batch by batch (%s, %s) as a whole sort would", (order, locale) => {
    const sort = organisationSorter();
    let shown: typeof many = [];
    for (const end of [10, 700, 701, 1_500, 2_000]) {
      shown = shown.concat(many.slice(shown.length, end));
      expect(ids(sort(shown, order, locale))).toEqual(ids(sortOrganisations(shown, order, locale)));
    }
  });

  it("sorts only the new rows, and merges them into those sorted before", () => {
    const sort = organisationSorter();
    sort(many.slice(0, 1_990), "name", "en");
    let compared = 0;
    const real = Object.getOwnPropertyDescriptor(Intl.Collator.prototype, "compare")!.get!;
    const spy = vi.spyOn(Intl.Collator.prototype, "compare", "get").mockImplementation(function (this: Intl.Collator) {
      const compare = real.call(this) as (a: string, b: string) => number;
      return (a: string, b: string) => (compared++, compare(a, b));
    });
    try {
      sort(many, "name", "en");
    } finally {
      spy.mockRestore();
    }
    // Sorting all 2,000 again compares some 20,000 times; 10 rows and their merge, about 2,000.
    expect(compared).toBeGreaterThan(0);
    expect(compared).toBeLessThan(2_100);
  });

  it("answers the same list with the same array", () => {
    const sort = organisationSorter();
    const first = sort(many, "name", "en");
    expect(sort(many, "name", "en")).toBe(first);
  });

  it("sorts again from scratch when a row was replaced, or the order or language changed", () => {
    const sort = organisationSorter();
    sort(many, "name", "en");
    // A save during a listing replaces a row: the same length, another object in the middle.
    const renamed = many.slice();
    renamed[5] = indexOrganisations([{ ...many[5].organisation, name: "Aardvark" }])[0];
    expect(ids(sort(renamed, "name", "en"))).toEqual(ids(sortOrganisations(renamed, "name", "en")));
    expect(ids(sort(renamed, "name", "en"))[0]).toBe(renamed[5].organisation.id);
    // Removed, then more added: not the same rows at the start any more.
    const removed = renamed.slice(1).concat(many.slice(0, 1));
    expect(ids(sort(removed, "name", "en"))).toEqual(ids(sortOrganisations(removed, "name", "en")));
    expect(ids(sort(removed, "newest", "en"))).toEqual(ids(sortOrganisations(removed, "newest", "en")));
    expect(ids(sort(removed, "name", "es"))).toEqual(ids(sortOrganisations(removed, "name", "es")));
  });

  it("puts ñ after n in Spanish, and with n elsewhere", () => {
    const list = indexOrganisations([org(1, "ñu"), org(2, "nz"), org(3, "na")]);
    expect(ids(organisationSorter()(list, "name", "es"))).toEqual([3, 2, 1]);
    expect(ids(organisationSorter()(list, "name", "en"))).toEqual([3, 1, 2]);
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
