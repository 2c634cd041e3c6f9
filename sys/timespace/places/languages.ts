// Which stored name answers a language: the exact BCP 47 tag, then its base language, then English, then the
// place's local name (GeoNames' own). Country names come from the runtime's CLDR data (Intl.DisplayNames) for any
// language; the stored country names serve search.

/** The languages to try, most preferred first: "pt-BR" → ["pt-br", "pt", "en"]. Tags are stored lower-cased. */
export function languageChain(language: string): string[] {
  const tag = canonicalTag(language);
  const chain = [tag];
  const base = tag.split("-")[0]!;
  if (base !== tag) chain.push(base);
  if (!chain.includes("en")) chain.push("en");
  return chain.filter(Boolean);
}

export function canonicalTag(language: string): string {
  try {
    return language ? Intl.getCanonicalLocales(language)[0]!.toLowerCase() : "en";
  } catch {
    return "en";
  }
}

const countryNamers = new Map<string, Intl.DisplayNames | undefined>();

/** The country's name in `language` (CLDR), or undefined when the runtime has no name for the code. */
export function countryNameIn(countryId: string, language: string): string | undefined {
  const tag = canonicalTag(language);
  if (!countryNamers.has(tag)) {
    let namer: Intl.DisplayNames | undefined;
    try {
      namer = new Intl.DisplayNames([tag, "en"], { type: "region", fallback: "none" });
    } catch {
      namer = undefined;
    }
    countryNamers.set(tag, namer);
  }
  try {
    return countryNamers.get(tag)?.of(countryId);
  } catch {
    return undefined;
  }
}

/**
 * The languages whose country names are stored for search: CLDR has names in far more, but these cover the
 * languages people type place names in most; a search in any other language still finds the English and local names.
 */
export const SEARCH_LANGUAGES = [
  "en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "sk", "hu", "ro", "bg", "el", "ru",
  "uk", "sr", "hr", "sl", "lt", "lv", "et", "tr", "ar", "he", "fa", "ur", "hi", "bn", "ta", "th", "vi", "id", "ms",
  "zh", "ja", "ko", "sw", "am", "ca", "eu", "gl", "ga", "is", "ka", "hy", "az", "kk", "uz", "mn", "ne", "si", "km",
] as const;
