// The form names are searched in: case and Latin, Greek and Cyrillic accents dropped, so "sao paulo" finds "São
// Paulo" and "ZURICH" finds "Zürich". Only the combining diacritics block goes: the vowel signs of Indic scripts and
// Japanese voicing marks are part of the letters. Done in JavaScript at load and at query time, so no database
// extension (unaccent) is needed.
const DIACRITICS = /[\u0300-\u036f]+/g;
const SPACES = /[\s\u2010-\u2015_]+/gu;
// Latin letters that carry their stroke in the letter itself, so decomposition leaves them.
const STROKED: Record<string, string> = { ł: "l", ø: "o", đ: "d", ħ: "h", ß: "ss", æ: "ae", œ: "oe", ı: "i", þ: "th" };
const STROKED_PATTERN = new RegExp(`[${Object.keys(STROKED).join("")}]`, "g");

export function normalizeName(text: string): string {
  return text.normalize("NFD").replace(DIACRITICS, "").normalize("NFC").replace(SPACES, " ").trim().toLowerCase().replace(STROKED_PATTERN, (c) => STROKED[c]!);
}
