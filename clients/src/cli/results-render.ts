// Poll results as text: a summary, a bar per option, and the rounds of runoff/STV methods. Pure, so the same
// function renders `polity results` once and on every update of --watch.
import Table from "cli-table3";
import { type Poll, type PollResults, Verdict, VotingMethod } from "../gen/polity/mod/voting/v1/voting_pb.js";
import { figureOf, optionLabel, otherTieBreaks, percentOf, quorumText, verdictText } from "../result-text.js";
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
  const label = (id: string) => optionLabel(poll?.options ?? [], id);
  const lines: string[] = [];
  const title = poll ? `${poll.title}  (${nameOf(METHODS, poll.method)})` : "";
  if (title) lines.push(title);
  const pct = turnout.eligible ? ` (${Math.round((turnout.ballots / turnout.eligible) * 100)}%)` : "";
  lines.push(`state: ${nameOf(POLL_STATES, turnout.state) || "unknown"}   ballots: ${turnout.ballots}/${turnout.eligible}${pct}`);
  if (!results) {
    lines.push("results are not visible yet (the poll shows them after you vote or after close)");
    return lines.join("\n") + "\n";
  }
  const verdict = verdictText(results, poll?.options ?? [], poll?.method);
  const figure = figureOf(poll?.method);
  const facts = [
    results.final ? "final" : "live",
    `counted weight ${num(results.countedWeight)}`,
    results.delegatedWeight ? `delegated ${num(results.delegatedWeight)}` : "",
    results.lostWeight ? `lost ${num(results.lostWeight)}` : "",
    // No quorum configured: nothing to say about one.
    results.quorumNeeded === undefined ? "" : `quorum ${results.quorumMet ? "met" : "not met"} (${quorumText(results)})`,
  ].filter(Boolean);
  lines.push(facts.join("   "));
  // One verdict, and the tie-break as its reason when one decided.
  lines.push(`${verdict.headline.toUpperCase().slice(0, 1)}${verdict.headline.slice(1)}`);
  if (verdict.reason) lines.push(`  because ${verdict.reason}`);
  if (results.verdict === Verdict.NO_VOTES) {
    if (results.final && results.resultHash) lines.push(`result hash: ${results.resultHash}`);
    return lines.join("\n") + "\n";
  }

  const max = Math.max(0, ...results.tallies.map((t) => t.votes));
  if (results.tallies.length) {
    const pctHead = figure.percentOf === "voters" ? "% OF VOTERS" : figure.percentOf ? "%" : "";
    const table = new Table({ head: ["OPTION", figure.name.toUpperCase(), pctHead, ""], style: { head: [], border: [] } });
    // Equal figures: the winner first, as the tie-break ordered them.
    const first = (id: string) => (results.winners.includes(id) ? 0 : 1);
    for (const t of [...results.tallies].sort((a, b) => b.votes - a.votes || first(a.optionId) - first(b.optionId))) {
      const won = verdict.showWinners && results.winners.includes(t.optionId) ? " ★" : "";
      const pct = percentOf(figure, t.votes, results);
      table.push([`${label(t.optionId)}${won}`, num(t.votes), pct === undefined ? "" : pct.toFixed(1), bar(t.votes, max)]);
    }
    lines.push(table.toString());
  }
  if (results.ranking.length) lines.push(`ranking: ${results.ranking.map((g) => g.optionIds.map(label).join(" = ")).join(" > ")}`);
  if (results.rounds.length > 1 || (results.rounds.length === 1 && !results.tallies.length)) {
    const ids = [...new Set(results.rounds.flatMap((r) => r.tallies.map((t) => t.optionId)))];
    const table = new Table({ head: ["ROUND", ...ids.map(label), "EXHAUSTED", "ELECTED", "ELIMINATED"], style: { head: [], border: [] } });
    for (const r of results.rounds) {
      const by = new Map(r.tallies.map((t) => [t.optionId, t.votes]));
      table.push([roundName(poll?.method, r.number), ...ids.map((id) => (by.has(id) ? num(by.get(id)!) : "")), num(r.exhausted), r.elected.map(label).join(", "), r.eliminated.map(label).join(", ")]);
    }
    lines.push(table.toString());
  }
  if (results.quota) lines.push(`quota: ${num(results.quota)}`);
  // The deciding tie-break is already printed as the verdict's reason.
  for (const tb of otherTieBreaks(results)) lines.push(`tie-break: ${tieBreakText(tb, poll?.options ?? [])}`);
  if (results.final && results.resultHash) lines.push(`result hash: ${results.resultHash}`);
  return lines.join("\n") + "\n";
}

/** What a round's numbers are: IRV and STV start from first preferences, STAR's first round is the scores. */
function roundName(method: VotingMethod | undefined, n: number): string {
  if (n !== 1) return String(n);
  if (method === VotingMethod.RANKED_IRV || method === VotingMethod.STV) return "1 (first preferences)";
  if (method === VotingMethod.STAR) return "1 (points)";
  return "1";
}
