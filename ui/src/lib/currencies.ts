/** ISO 4217 alphabetic codes in current use (funds, metals and test codes left out). */
const ACTIVE_CODES = (
  "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN " +
  "BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS " +
  "GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW " +
  "KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD " +
  "NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD " +
  "SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES " +
  "VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG"
).split(" ");

/** Offered first: the currencies OAS administrators pick most. */
export const MOST_USED = ["USD", "EUR", "GBP", "MXN", "CAD", "JPY", "CNY", "CHF", "AUD", "BRL", "COP", "ARS", "CLP", "PEN", "INR"];

/** Currencies used beyond the country their code starts with (the code's first letters name it). */
const EXTRA_COUNTRIES: Record<string, string[]> = {
  USD: ["US", "EC", "SV", "PA", "PR", "TL", "ZW", "FM", "MH", "PW", "VG", "TC", "BQ", "GU", "AS", "VI"],
  EUR: ["EU", "AT", "BE", "HR", "CY", "EE", "FI", "FR", "DE", "GR", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PT", "SK", "SI", "ES", "AD", "MC", "SM", "VA", "ME", "XK"],
  XOF: ["BJ", "BF", "CI", "GW", "ML", "NE", "SN", "TG"],
  XAF: ["CM", "CF", "TD", "CG", "GQ", "GA"],
  XCD: ["AG", "DM", "GD", "KN", "LC", "VC", "AI", "MS"],
  XCG: ["CW", "SX"],
  ANG: ["CW", "SX"],
  XPF: ["PF", "NC", "WF"],
  CHF: ["LI"],
  AUD: ["KI", "NR", "TV"],
  NZD: ["CK", "NU", "PN", "TK"],
  INR: ["BT"],
  ZAR: ["LS", "NA"],
  DKK: ["GL", "FO"],
  NOK: ["SJ", "BV"],
  GBP: ["IM", "JE", "GG"],
  ILS: ["PS"],
  MAD: ["EH"],
};

export type CurrencyInfo = {
  code: string;
  name: string;
  countries: string[];
  /** Lower-case, accent-free text searched by the picker. */
  haystack: string;
};

export function foldText(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

const catalogs = new Map<string, CurrencyInfo[]>();

function displayNames(locale: string, type: "currency" | "region"): Intl.DisplayNames | null {
  try {
    return new Intl.DisplayNames([locale, "en"], { type, fallback: "none" });
  } catch {
    return null;
  }
}

/** Every known currency with its name and countries in `locale`, most-used first. */
export function currencyCatalog(locale: string, extraCodes: readonly string[] = []): CurrencyInfo[] {
  const cacheKey = `${locale}|${extraCodes.join(",")}`;
  const cached = catalogs.get(cacheKey);
  if (cached) return cached;
  const currencyNames = displayNames(locale, "currency");
  const regionNames = displayNames(locale, "region");
  const codes = new Set([...MOST_USED, ...ACTIVE_CODES, ...extraCodes.map((c) => c.toUpperCase())]);
  const infos: CurrencyInfo[] = [];
  for (const code of codes) {
    const name = currencyNames?.of(code) ?? code;
    // X-codes (XAF, XOF, …) are supranational: their first letters name no country.
    const own = code.startsWith("X") ? [] : [code.slice(0, 2)];
    const regionCodes = new Set([...own, ...(EXTRA_COUNTRIES[code] ?? [])]);
    const countries: string[] = [];
    for (const region of regionCodes) {
      let country: string | undefined;
      try {
        country = regionNames?.of(region);
      } catch {
        country = undefined;
      }
      if (country && country !== region) countries.push(country);
    }
    infos.push({ code, name, countries, haystack: foldText(`${code} ${name} ${countries.join(" ")}`) });
  }
  catalogs.set(cacheKey, infos);
  return infos;
}

export function currencyName(code: string, locale: string): string {
  return currencyCatalog(locale).find((c) => c.code === code)?.name ?? code;
}

/**
 * Currencies matching `query` by code, name or country, best matches first: the exact code,
 * then codes starting with it, then names, then countries; most-used first among equals.
 */
export function searchCurrencies(query: string, catalog: CurrencyInfo[]): CurrencyInfo[] {
  const q = foldText(query.trim());
  if (q === "") return catalog;
  const scored: [number, number, CurrencyInfo][] = [];
  catalog.forEach((info, index) => {
    const code = info.code.toLowerCase();
    const name = foldText(info.name);
    let score = -1;
    if (code === q) score = 0;
    else if (code.startsWith(q)) score = 1;
    else if (name.startsWith(q)) score = 2;
    else if (name.split(/[\s-]+/).some((w) => w.startsWith(q))) score = 3;
    else if (info.countries.some((c) => foldText(c).startsWith(q))) score = 4;
    else if (info.haystack.includes(q)) score = 5;
    if (score >= 0) scored.push([score, index, info]);
  });
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return scored.map(([, , info]) => info);
}

export function isCurrencyCode(text: string): boolean {
  return /^[A-Z]{3}$/.test(text);
}
