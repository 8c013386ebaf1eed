import { describe, expect, it } from "vitest";
import { currencyCatalog, currencyName, foldText, MOST_USED, searchCurrencies } from "./currencies";

describe("currency catalog", () => {
  it("lists the most used currencies first", () => {
    const codes = currencyCatalog("en").map((c) => c.code);
    expect(codes.slice(0, MOST_USED.length)).toEqual(MOST_USED);
    expect(codes).toContain("JOD");
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.length).toBeGreaterThan(150);
  });

  it("names currencies in the UI's language", () => {
    expect(currencyName("MXN", "en")).toBe("Mexican Peso");
    expect(foldText(currencyName("USD", "es"))).toContain("dolar");
  });

  it("keeps unknown codes from the server so they can still be shown", () => {
    expect(currencyCatalog("en", ["ZZZ"]).map((c) => c.code)).toContain("ZZZ");
  });
});

describe("searchCurrencies", () => {
  const en = currencyCatalog("en");
  const es = currencyCatalog("es");
  const codes = (q: string, catalog = en) => searchCurrencies(q, catalog).map((c) => c.code);

  it("finds by exact code first", () => {
    expect(codes("eur")[0]).toBe("EUR");
    expect(codes("MXN")[0]).toBe("MXN");
  });

  it("finds by code prefix", () => {
    expect(codes("US")).toContain("USD");
  });

  it("finds by name", () => {
    expect(codes("peso")).toEqual(expect.arrayContaining(["MXN", "COP", "ARS", "CLP"]));
    expect(codes("yen")[0]).toBe("JPY");
  });

  it("finds by country, in the UI's language and without accents", () => {
    expect(codes("japan")).toContain("JPY");
    expect(codes("mexico", es)).toContain("MXN");
    expect(codes("Perú", es)).toContain("PEN");
    expect(codes("alemania", es)).toContain("EUR");
    expect(codes("ecuador")).toContain("USD");
    expect(codes("senegal")).toContain("XOF");
  });

  it("finds by name in Spanish", () => {
    expect(codes("libra", es)).toContain("GBP");
  });

  it("returns everything for an empty query and nothing for nonsense", () => {
    expect(searchCurrencies("  ", en)).toHaveLength(en.length);
    expect(codes("qwertyuiop")).toEqual([]);
  });
});
