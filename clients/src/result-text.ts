// What a poll's result says, in words both the CLI and the web app print: the verdict (one per result, as the
// server computed it), its reason when a tie-break decided, the quorum when there is one, and what each
// method's per-option figure is. Pure and dependency-free apart from the generated enums.
import { type PollResults, Verdict, VotingMethod } from "./gen/polity/mod/voting/v1/voting_pb.js";
import { tieBreakPartsText } from "./tie-break-text.js";

type Options = ReadonlyArray<{ id: string; label: string }>;

// A proposal has no options: its tallies are the positions.
const POSITIONS: Record<string, string> = { agree: "Agree", disagree: "Disagree", abstain: "Abstain", block: "Block" };

/** An option's label, a proposal position's name, else the id. */
export function optionLabel(options: Options, id: string): string {
  return options.find((o) => o.id === id)?.label ?? POSITIONS[id] ?? id;
}

export interface Figure {
  /** Column header / chart caption: "Votes", "Approvals", "Points", … */
  name: string;
  /** The unit after a number: [singular, plural]. */
  unit: [string, string];
  /** What the percentage is a share of, or undefined when a percentage means nothing for this figure. */
  percentOf?: "votes" | "voters";
}

/** The figure PollResults.tallies holds for a method. */
export function figureOf(method: VotingMethod | undefined): Figure {
  switch (method) {
    case VotingMethod.APPROVAL: return { name: "Approvals", unit: ["approval", "approvals"], percentOf: "voters" };
    case VotingMethod.SCORE: case VotingMethod.STAR: return { name: "Points", unit: ["point", "points"] };
    case VotingMethod.SCHULZE: return { name: "Pairwise wins", unit: ["pairwise win", "pairwise wins"] };
    // IRV and STV publish the last round's count; round 1 (first preferences) is in the rounds table.
    case VotingMethod.RANKED_IRV: case VotingMethod.STV: return { name: "Final-round votes", unit: ["vote", "votes"], percentOf: "votes" };
    default: return { name: "Votes", unit: ["vote", "votes"], percentOf: "votes" };
  }
}

/** A tally's percentage under its figure: approvals over the voters (counted weight), votes over all votes. */
export function percentOf(figure: Figure, value: number, results: PollResults): number | undefined {
  if (figure.percentOf === "voters") return results.countedWeight > 0 ? (value / results.countedWeight) * 100 : undefined;
  if (figure.percentOf !== "votes") return undefined;
  const total = results.tallies.reduce((a, t) => a + t.votes, 0);
  return total > 0 ? (value / total) * 100 : undefined;
}

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export function amount(figure: Figure, value: number): string {
  return `${num(value)} ${value === 1 ? figure.unit[0] : figure.unit[1]}`;
}

export type Tone = "ok" | "bad" | "warn" | "none";

export interface VerdictText {
  /** The enum's name without its prefix ("NO_VOTES"), for tests and styling hooks. */
  code: string;
  headline: string;
  tone: Tone;
  /** The tie-break that decided, in words, when one did. */
  reason?: string;
  /** Whether the winners are winners (false when nothing was decided). */
  showWinners: boolean;
}

/** The one verdict of a result, in words; live results say where things stand rather than what was decided. */
export function verdictText(results: PollResults, options: Options, method?: VotingMethod): VerdictText {
  const label = (id: string) => optionLabel(options, id);
  const names = results.winners.map(label).join(", ");
  const live = !results.final;
  // A round number only means something to a method that counts in several rounds.
  const reason = results.decidedBy ? tieBreakPartsText({ ...results.decidedBy, round: results.rounds.length > 1 ? results.decidedBy.round || undefined : undefined,
    tied: results.decidedBy.tiedOptionIds, chosen: results.decidedBy.chosenOptionId }, options) : undefined;
  const proposal = method === VotingMethod.PROPOSAL;
  const subject = proposal || !names ? "" : `: ${names}`;
  const code = Verdict[results.verdict] ?? "UNSPECIFIED";
  switch (results.verdict) {
    case Verdict.NO_VOTES:
      return { code, headline: live ? "No votes yet" : "No votes: nothing was decided", tone: "none", showWinners: false };
    case Verdict.NO_QUORUM:
      return { code, headline: `${live ? "Quorum not reached yet" : "No quorum: nothing was decided"} (${quorumText(results)})`, tone: "warn", showWinners: false };
    case Verdict.PASSED:
      return { code, headline: `${live ? "Passing" : "Passed"}${subject}`, tone: "ok", reason, showWinners: !proposal };
    case Verdict.REJECTED: {
      const blocked = proposal && (results.tallies.find((t) => t.optionId === "block")?.votes ?? 0) > 0;
      return { code, headline: `${live ? "Not passing" : "Rejected"}${blocked ? " (blocked)" : ""}`, tone: "bad", reason, showWinners: false };
    }
    case Verdict.TIED_BROKEN_BY_SEED:
      return { code, headline: `${live ? "Leading" : "Elected"} by tie-break${subject}`, tone: "ok", reason, showWinners: true };
    case Verdict.ELECTED:
      return { code, headline: `${live ? "Leading" : "Elected"}${subject}`, tone: "ok", reason, showWinners: true };
    default:
      // A result published before verdicts existed: say only what it holds.
      return { code, headline: names ? `${live ? "Leading" : "Winner"}${subject}` : "No winner", tone: names ? "ok" : "none", reason, showWinners: names !== "" };
  }
}

/** "3 of 2 needed" — only meaningful when results.quorumNeeded is set. */
export function quorumText(results: PollResults): string {
  return `${num(results.countedWeight)} counted of ${num(results.quorumNeeded ?? 0)} needed`;
}

/** PollResults.tie_breaks without the one that decided (shown as the verdict's reason), in the engine's words. */
export function otherTieBreaks(results: PollResults): string[] {
  const t = results.decidedBy;
  if (!t) return results.tieBreaks;
  // The engine's line for it (mod/voting/results/compute.ts writes the same).
  const line = `${t.round ? `round ${t.round}: ` : ""}${t.purpose} among ${t.tiedOptionIds.join(", ")} → ${t.chosenOptionId} (${t.rule}: ${t.detail})`;
  return results.tieBreaks.filter((l) => l !== line);
}
