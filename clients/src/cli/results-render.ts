// Poll results as text: a summary, a bar per option, and the rounds of runoff/STV methods. Pure, so the same
// function renders `polity results` once and on every update of --watch.
import Table from "cli-table3";
import type { Poll, PollResults } from "../gen/polity/mod/voting/v1/voting_pb.js";
import { tieBreakText } from "../tie-break-text.js";
import { METHODS, nameOf, POLL_STATES } from "./voting-names.js";

const BAR_WIDTH = 30;

/** A bar of `width` cells for value/max, with eighth-block precision. */
export function bar(value: number, max: number, width = BAR_WIDTH): string {
  if (!(max > 0) || !(value > 0)) return "";
  const eighths = Math.round((Math.min(value, max) / max) * width * 8);
  return "█".repeat(Math.floor(eighths / 8)) + (eighths % 8 ? "▏▎▍▌▋▊▉"[(eighths % 8) - 1] : "");
}

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export interface Turnout {
  state: number;
  eligible: number;
  ballots: number;
}

export function renderResults(poll: Poll | undefined, turnout: Turnout, results: PollResults | undefined): string {
  const label = (id: string) => poll?.options.find((o) => o.id === id)?.label ?? id;
  const lines: string[] = [];
  const title = poll ? `${poll.title}  (${nameOf(METHODS, poll.method)})` : "";
  if (title) lines.push(title);
  const pct = turnout.eligible ? ` (${Math.round((turnout.ballots / turnout.eligible) * 100)}%)` : "";
  lines.push(`state: ${nameOf(POLL_STATES, turnout.state) || "unknown"}   ballots: ${turnout.ballots}/${turnout.eligible}${pct}`);
  if (!results) {
    lines.push("results are not visible yet (the poll shows them after you vote or after close)");
    return lines.join("\n") + "\n";
  }
  const facts = [
    results.final ? "final" : "live",
    `counted weight ${num(results.countedWeight)}`,
    results.delegatedWeight ? `delegated ${num(results.delegatedWeight)}` : "",
    results.lostWeight ? `lost ${num(results.lostWeight)}` : "",
    `quorum ${results.quorumMet ? "met" : "not met"}`,
    results.passed === undefined ? "" : results.passed ? "PASSED" : "NOT PASSED",
  ].filter(Boolean);
  lines.push(facts.join("   "));
  if (results.winners.length) lines.push(`winner${results.winners.length > 1 ? "s" : ""}: ${results.winners.map(label).join(", ")}`);

  const max = Math.max(0, ...results.tallies.map((t) => t.votes));
  const total = results.tallies.reduce((a, t) => a + t.votes, 0);
  if (results.tallies.length) {
    const table = new Table({ head: ["OPTION", "VOTES", "%", ""], style: { head: [], border: [] } });
    for (const t of [...results.tallies].sort((a, b) => b.votes - a.votes)) {
      const won = results.winners.includes(t.optionId) ? " ★" : "";
      table.push([`${label(t.optionId)}${won}`, num(t.votes), total ? `${((t.votes / total) * 100).toFixed(1)}` : "", bar(t.votes, max)]);
    }
    lines.push(table.toString());
  }
  if (results.ranking.length) lines.push(`ranking: ${results.ranking.map((g) => g.optionIds.map(label).join(" = ")).join(" > ")}`);
  if (results.rounds.length > 1 || (results.rounds.length === 1 && !results.tallies.length)) {
    const ids = [...new Set(results.rounds.flatMap((r) => r.tallies.map((t) => t.optionId)))];
    const table = new Table({ head: ["ROUND", ...ids.map(label), "EXHAUSTED", "ELECTED", "ELIMINATED"], style: { head: [], border: [] } });
    for (const r of results.rounds) {
      const by = new Map(r.tallies.map((t) => [t.optionId, t.votes]));
      table.push([String(r.number), ...ids.map((id) => (by.has(id) ? num(by.get(id)!) : "")), num(r.exhausted), r.elected.map(label).join(", "), r.eliminated.map(label).join(", ")]);
    }
    lines.push(table.toString());
  }
  if (results.quota) lines.push(`quota: ${num(results.quota)}`);
  for (const tb of results.tieBreaks) lines.push(`tie-break: ${tieBreakText(tb, poll?.options ?? [])}`);
  if (results.final && results.resultHash) lines.push(`result hash: ${results.resultHash}`);
  return lines.join("\n") + "\n";
}
