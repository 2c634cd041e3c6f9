// Prints the README's configuration table from the settings in sys/core/config.ts (the one source of truth).
import { settings } from "../sys/core/config.js";

console.log("| key (YAML) | environment | flag | default | meaning |");
console.log("|---|---|---|---|---|");
for (const s of settings) {
  const def = s.default === undefined ? "—"
    : Array.isArray(s.default) ? (s.default.length ? `\`${s.default.join(",")}\`` : "—")
    : typeof s.default === "object" ? (Object.keys(s.default as object).length ? `\`${JSON.stringify(s.default)}\`` : "—")
    : `\`${String(s.default)}\``;
  console.log(`| \`${s.key}\` | \`${s.env}\` | ${s.flag ? `\`--${s.flag}\`` : ""} | ${def} | ${s.doc} |`);
}
