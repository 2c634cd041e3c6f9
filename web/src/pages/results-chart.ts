// Results as one verdict (as the server decided it, with the deciding tie-break as its reason), a bar chart
// labelled with what each method counts, and what the method adds: ranking, rounds, Schulze's pairwise matrix,
// a quorum when the poll has one, turnout.
import { h } from "../dom.js";
import { PollState, Verdict, VotingMethod, type Poll, type PollResults } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { amount, figureOf, optionLabel, otherTieBreaks, percentOf, quorumText, verdictText } from "../../../clients/src/result-text.js";
import { tieBreakText } from "../../../clients/src/tie-break-text.js";

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export interface Turnout {
  state: PollState;
  eligible: number;
  ballots: number;
}

/** A table that may be wider than a phone: it scrolls inside its frame, under a caption that says so. */
function scrollTable(caption: string, headers: string[], rows: Array<Array<string | number>>, testid: string): HTMLElement {
  return h("div", { class: "wide-table" },
    h("p", { class: "table-caption", id: `${testid}-caption` }, caption, h("span", { class: "scroll-hint", "data-testid": `${testid}-hint` }, " · scroll sideways for more →")),
    h("div", { class: "scroll-table", role: "region", tabindex: 0, "aria-labelledby": `${testid}-caption`, "data-testid": `${testid}-scroll` },
      h("table", { "data-testid": testid },
        h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c, i) => (i === 0 ? h("th", { scope: "row" }, String(c)) : h("td", {}, String(c))))))))));
}

function roundName(method: VotingMethod, n: number): string {
  if (n !== 1) return String(n);
  if (method === VotingMethod.RANKED_IRV || method === VotingMethod.STV) return "1 (first preferences)";
  if (method === VotingMethod.STAR) return "1 (points)";
  return "1";
}

export function resultsView(poll: Poll, turnout: Turnout, results: PollResults | undefined): HTMLElement {
  const label = (id: string) => optionLabel(poll.options, id);
  const pct = turnout.eligible ? Math.round((turnout.ballots / turnout.eligible) * 100) : 0;
  const turnoutEl = h("div", { class: "turnout", "data-testid": "turnout" },
    h("strong", {}, `${turnout.ballots} of ${turnout.eligible} voted`), ` (${pct}%)`,
    h("div", { class: "meter", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": pct, "aria-label": "Turnout" },
      h("span", { style: `width:${pct}%` })));
  if (!results) {
    return h("div", { "data-testid": "results" }, turnoutEl,
      h("p", { class: "muted", "data-testid": "results-hidden" }, turnout.state === PollState.CLOSED ? "The result is being published…" : "Results are shown after you vote or after the poll closes."));
  }
  const verdict = verdictText(results, poll.options, poll.method);
  const figure = figureOf(poll.method);
  const noVotes = results.verdict === Verdict.NO_VOTES;
  const verdictEl = h("div", { class: `verdict ${verdict.tone}`, "data-testid": "verdict", "data-verdict": verdict.code },
    h("p", { class: "verdict-headline" }, verdict.showWinners && results.winners.length
      ? [verdict.headline.slice(0, verdict.headline.indexOf(":") + 1), " ", h("strong", { "data-testid": "winners" }, results.winners.map(label).join(", "))]
      : h("strong", {}, verdict.headline)),
    verdict.reason ? h("p", { class: "verdict-reason", "data-testid": "verdict-reason" }, "Decided by a tie-break: ", verdict.reason) : null);

  const max = Math.max(0, ...results.tallies.map((t) => t.votes));
  const first = (id: string) => (results.winners.includes(id) ? 0 : 1);
  const sorted = [...results.tallies].sort((a, b) => b.votes - a.votes || first(a.optionId) - first(b.optionId));
  const share = figure.percentOf === "voters" ? "of voters" : "of votes";
  const chart = h("ul", { class: "bars", "data-testid": "results-chart", "aria-label": `${figure.name} per option` }, sorted.map((t) => {
    const won = verdict.showWinners && results.winners.includes(t.optionId);
    const p = percentOf(figure, t.votes, results);
    return h("li", { class: won ? "winner" : "", "data-option": t.optionId },
      h("span", { class: "bar-label" }, label(t.optionId), won ? h("span", { class: "badge ok" }, "winner") : null),
      h("span", { class: "bar-track" }, h("span", { class: "bar-fill", style: `width:${max ? (t.votes / max) * 100 : 0}%` })),
      h("span", { class: "bar-value", title: p === undefined ? figure.name : `${figure.name}; percent ${share}` },
        amount(figure, t.votes), p === undefined ? "" : ` · ${p.toFixed(0)}% ${share}`));
  }));
  const facts = [
    results.final ? h("span", { class: "badge final", "data-testid": "results-final" }, "final result") : h("span", { class: "badge ok" }, "live"),
    // No quorum configured: no badge at all.
    results.quorumNeeded === undefined ? null
      : h("span", { class: `badge ${results.quorumMet ? "ok" : "warn"}`, "data-testid": "quorum" }, `${results.quorumMet ? "quorum met" : "quorum not met"} · ${quorumText(results)}`),
    results.delegatedWeight ? h("span", { class: "muted" }, ` ${num(results.delegatedWeight)} via delegation`) : null,
    results.lostWeight ? h("span", { class: "muted" }, ` ${num(results.lostWeight)} lost`) : null,
  ];
  const ids = [...new Set(results.rounds.flatMap((r) => r.tallies.map((t) => t.optionId)))];
  const others = otherTieBreaks(results).map((t) => tieBreakText(t, poll.options));
  return h("div", { "data-testid": "results" },
    turnoutEl,
    h("p", { class: "facts" }, facts),
    verdictEl,
    results.tallies.length && !noVotes ? [h("p", { class: "muted chart-caption" }, `${figure.name} per option`), chart] : null,
    results.ranking.length ? h("p", { "data-testid": "ranking" }, "Ranking: ", results.ranking.map((g) => g.optionIds.map(label).join(" = ")).join(" › ")) : null,
    results.rounds.length > 1 ? h("details", { open: true }, h("summary", {}, `${results.rounds.length} rounds`),
      scrollTable(`${figure.unit[1][0].toUpperCase()}${figure.unit[1].slice(1)} in each round`, ["Round", ...ids.map(label), "Exhausted", "Elected", "Eliminated"], results.rounds.map((r) => {
        const by = new Map(r.tallies.map((t) => [t.optionId, t.votes]));
        return [roundName(poll.method, r.number), ...ids.map((id) => (by.has(id) ? num(by.get(id)!) : "–")), num(r.exhausted), r.elected.map(label).join(", "), r.eliminated.map(label).join(", ")];
      }), "rounds-table")) : null,
    results.pairwise?.rows.length && !noVotes ? h("details", {}, h("summary", {}, "Pairwise preferences"),
      scrollTable("Voters preferring the row's option to the column's", ["", ...results.pairwise.optionIds.map(label)],
        results.pairwise.rows.map((row, i) => [label(results.pairwise!.optionIds[i]), ...row.values.map(num)]), "pairwise-table")) : null,
    // Ties that decided nothing (who came third), named by label; the API keeps the engine's words for audit.
    others.length ? h("details", { class: "tie-breaks", "data-testid": "tie-breaks" },
      h("summary", {}, others.length > 1 ? `${others.length} other ties were broken` : "Another tie was broken"),
      h("ul", {}, others.map((t) => h("li", {}, t)))) : null,
    results.final && results.resultHash ? h("p", { class: "muted" }, "Result hash ", h("code", {}, results.resultHash.slice(0, 16) + "…")) : null);
}
