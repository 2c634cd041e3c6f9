// Results as a bar chart (CSS bars, each with its number as text) plus what the method adds: winners, the
// full ranking, runoff/STV rounds, Schulze's pairwise matrix, quorum and turnout.
import { h, table } from "../dom.js";
import { PollState, type Poll, type PollResults } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { tieBreakText } from "../../../clients/src/tie-break-text.js";

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export interface Turnout {
  state: PollState;
  eligible: number;
  ballots: number;
}

export function resultsView(poll: Poll, turnout: Turnout, results: PollResults | undefined): HTMLElement {
  const label = (id: string) => poll.options.find((o) => o.id === id)?.label ?? id;
  const pct = turnout.eligible ? Math.round((turnout.ballots / turnout.eligible) * 100) : 0;
  const turnoutEl = h("div", { class: "turnout", "data-testid": "turnout" },
    h("strong", {}, `${turnout.ballots} of ${turnout.eligible} voted`), ` (${pct}%)`,
    h("div", { class: "meter", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": pct, "aria-label": "Turnout" },
      h("span", { style: `width:${pct}%` })));
  if (!results) {
    return h("div", { "data-testid": "results" }, turnoutEl,
      h("p", { class: "muted", "data-testid": "results-hidden" }, turnout.state === PollState.CLOSED ? "The result is being published…" : "Results are shown after you vote or after the poll closes."));
  }
  const max = Math.max(0, ...results.tallies.map((t) => t.votes));
  const total = results.tallies.reduce((a, t) => a + t.votes, 0);
  const sorted = [...results.tallies].sort((a, b) => b.votes - a.votes);
  const chart = h("ul", { class: "bars", "data-testid": "results-chart", "aria-label": "Votes per option" }, sorted.map((t) => {
    const won = results.winners.includes(t.optionId);
    return h("li", { class: won ? "winner" : "", "data-option": t.optionId },
      h("span", { class: "bar-label" }, label(t.optionId), won ? h("span", { class: "badge ok" }, "winner") : null),
      h("span", { class: "bar-track" }, h("span", { class: "bar-fill", style: `width:${max ? (t.votes / max) * 100 : 0}%` })),
      h("span", { class: "bar-value" }, `${num(t.votes)}${total ? ` · ${((t.votes / total) * 100).toFixed(0)}%` : ""}`));
  }));
  const facts = [
    results.final ? h("span", { class: "badge danger", "data-testid": "results-final" }, "final result") : h("span", { class: "badge ok" }, "live"),
    h("span", { class: `badge ${results.quorumMet ? "ok" : "warn"}` }, results.quorumMet ? "quorum met" : "quorum not met"),
    results.passed === undefined ? null : h("span", { class: `badge ${results.passed ? "ok" : "danger"}` }, results.passed ? "passed" : "did not pass"),
    results.delegatedWeight ? h("span", { class: "muted" }, ` ${num(results.delegatedWeight)} via delegation`) : null,
    results.lostWeight ? h("span", { class: "muted" }, ` ${num(results.lostWeight)} lost`) : null,
  ];
  const ids = [...new Set(results.rounds.flatMap((r) => r.tallies.map((t) => t.optionId)))];
  return h("div", { "data-testid": "results" },
    turnoutEl,
    h("p", { class: "facts" }, facts),
    results.winners.length ? h("p", { class: "winners", "data-testid": "winners" }, `Winner${results.winners.length > 1 ? "s" : ""}: `, h("strong", {}, results.winners.map(label).join(", "))) : null,
    results.tallies.length ? chart : null,
    results.ranking.length ? h("p", { "data-testid": "ranking" }, "Ranking: ", results.ranking.map((g) => g.optionIds.map(label).join(" = ")).join(" › ")) : null,
    results.rounds.length > 1 ? h("details", { open: true }, h("summary", {}, `${results.rounds.length} rounds`),
      table(["Round", ...ids.map(label), "Exhausted", "Elected", "Eliminated"], results.rounds.map((r) => {
        const by = new Map(r.tallies.map((t) => [t.optionId, t.votes]));
        return [r.number, ...ids.map((id) => (by.has(id) ? num(by.get(id)!) : "–")), num(r.exhausted), r.elected.map(label).join(", "), r.eliminated.map(label).join(", ")];
      }), "rounds-table")) : null,
    results.pairwise?.rows.length ? h("details", {}, h("summary", {}, "Pairwise preferences"),
      table(["", ...results.pairwise.optionIds.map(label)], results.pairwise.rows.map((row, i) => [label(results.pairwise!.optionIds[i]), ...row.values.map(num)]), "pairwise-table")) : null,
    // Most readers only need to know a tie was broken; the details name options by label (the API keeps the
    // engine's own words, ids and seed, for audit).
    results.tieBreaks.length ? h("details", { class: "tie-breaks", "data-testid": "tie-breaks" },
      h("summary", {}, results.tieBreaks.length > 1 ? `${results.tieBreaks.length} ties were broken` : "A tie was broken"),
      h("ul", {}, results.tieBreaks.map((t) => h("li", {}, tieBreakText(t, poll.options))))) : null,
    results.final && results.resultHash ? h("p", { class: "muted" }, "Result hash ", h("code", {}, results.resultHash.slice(0, 16) + "…")) : null);
}
