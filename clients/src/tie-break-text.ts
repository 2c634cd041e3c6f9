// A tie-break line of PollResults.tie_breaks, reworded for people: option labels instead of ids, and the seed
// named rather than printed. The API keeps the engine's own words (they are part of the hashed, audited
// result); only what people read is reworded. Pure and dependency-free: the web app uses it too.

// The engine's line: "[round N: ]PURPOSE among ID, ID → CHOSEN (RULE: DETAIL)" (mod/voting/results/compute.ts).
const LINE = /^(?:round (\d+): )?(.+?) among (.+?) → (.+?) \(([^:]+): (.*)\)$/s;
const SEED = /\b(in|by) the order of seed "[^"]*"/g;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Replaces every option id standing alone (not inside a longer word, not a round number or a count) with its label. */
function labelIds(text: string, ids: string[], label: (id: string) => string): string {
  if (!ids.length) return text;
  const any = [...ids].sort((a, b) => b.length - a.length).map(escape).join("|");
  return text.replace(new RegExp(`(?<![\\w-])(?<!round )(?<!at )(${any})(?![\\w-])`, "g"), (id) => label(id));
}

const list = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(", ")} and ${items.at(-1)}` : items.join(""));

/** A tie-break in parts: the engine's line parsed, or PollResults.decided_by. */
export interface TieBreakParts {
  round?: number;
  purpose: string;
  tied: string[];
  chosen: string;
  rule: string;
  detail: string;
}

/**
 * E.g. "round 2: elimination among b, c → b (seed: … of seed "…")" becomes
 * "Round 2: Bananas and Cherries were tied (elimination); Bananas was chosen by the poll's tie-break seed: …".
 */
export function tieBreakText(line: string, options: ReadonlyArray<{ id: string; label: string }>): string {
  const m = LINE.exec(line);
  if (!m) {
    const byId = new Map(options.map((o) => [o.id, o.label]));
    return labelIds(line.replace(SEED, "$1 the poll's seeded order"), [...byId.keys()], (id) => byId.get(id) ?? id);
  }
  const [, round, purpose, tied, chosen, rule, detail] = m;
  return tieBreakPartsText({ round: round ? Number(round) : undefined, purpose, tied: tied.split(", "), chosen, rule, detail }, options);
}

export function tieBreakPartsText(t: TieBreakParts, options: ReadonlyArray<{ id: string; label: string }>): string {
  const byId = new Map(options.map((o) => [o.id, o.label]));
  const label = (id: string) => byId.get(id) ?? id;
  const ruleText = t.rule === "seed" ? "the poll's tie-break seed" : t.rule;
  const why = labelIds(t.detail.replace(SEED, "$1 the poll's seeded order"), [...byId.keys()], label);
  return `${t.round ? `Round ${t.round}: ` : ""}${list(t.tied.map(label))} were tied (${t.purpose}); ${t.chosen.split(", ").map(label).join(", ")} was chosen by ${ruleText}: ${why}`;
}
