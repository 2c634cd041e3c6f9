// Conversions between the Ballot message and the stored choice (the engine's ballot for it: @polity/tally). No I/O.
import { create } from "@bufbuild/protobuf";
import type { Method, ProposalPosition } from "@polity/tally";
import { type Ballot as BallotMessage, BallotSchema, ProposalChoice } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { ChoiceJson } from "../entities.js";

const inverse = (m: Record<number, string>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [v, Number(k)]));
const positions: Record<number, ProposalPosition> = {
  [ProposalChoice.AGREE]: "agree", [ProposalChoice.DISAGREE]: "disagree", [ProposalChoice.ABSTAIN]: "abstain", [ProposalChoice.BLOCK]: "block",
};
const positionEnums = inverse(positions) as Record<ProposalPosition, ProposalChoice>;

/** The stored form of a ballot message; undefined when no choice is set (the validator prevents that). */
export function choiceJson(ballot: BallotMessage): ChoiceJson | undefined {
  const c = ballot.choice;
  switch (c.case) {
    case "proposal": return positions[c.value] ? { proposal: positions[c.value] } : undefined;
    case "optionId": return { optionId: c.value };
    case "approval": return { approval: [...c.value.optionIds] };
    case "scores": return { scores: sortedRecord(c.value.scores) };
    case "ranking": return { ranking: c.value.ranks.map((g) => [...g.optionIds]) };
    default: return undefined;
  }
}

function sortedRecord(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function ballotMessage(choice: ChoiceJson): BallotMessage {
  if ("proposal" in choice) return create(BallotSchema, { choice: { case: "proposal", value: positionEnums[choice.proposal] } });
  if ("optionId" in choice) return create(BallotSchema, { choice: { case: "optionId", value: choice.optionId } });
  if ("approval" in choice) return create(BallotSchema, { choice: { case: "approval", value: { optionIds: choice.approval } } });
  if ("scores" in choice) return create(BallotSchema, { choice: { case: "scores", value: { scores: choice.scores } } });
  return create(BallotSchema, { choice: { case: "ranking", value: { ranks: choice.ranking.map((optionIds) => ({ optionIds })) } } });
}

/** Which ballot field a method expects, for the error when a ballot of another kind is cast. */
export function expectedField(method: Method): keyof ChoiceJson | string {
  switch (method) {
    case "proposal": return "proposal";
    case "plurality": return "option_id";
    case "approval": return "approval";
    case "score": case "star": return "scores";
    default: return "ranking";
  }
}

/** Field path of a ballot issue in CastBallotRequest terms, e.g. "ballot.ranking.ranks[1].option_ids[0]". */
export function ballotField(method: Method, issueField: string): string {
  const base = `ballot.${expectedField(method)}`;
  if (method === "irv" || method === "schulze" || method === "stv") {
    const m = /^ranks(?:\[(\d+)\])?(?:\[(\d+)\])?$/.exec(issueField);
    if (m) return `${base}.ranks${m[1] !== undefined ? `[${m[1]}]` : ""}${m[2] !== undefined ? `.option_ids[${m[2]}]` : ""}`;
  }
  if (method === "approval" || method === "plurality") {
    const m = /^choices(?:\[(\d+)\])?$/.exec(issueField);
    if (m) return method === "plurality" ? base : `${base}.option_ids${m[1] !== undefined ? `[${m[1]}]` : ""}`;
  }
  if (method === "score" || method === "star") {
    const m = /^scores\.(.*)$/.exec(issueField);
    if (m) return `${base}.scores["${m[1]}"]`;
  }
  return base;
}

/** Canonical JSON: sorted keys, no spaces (what result hashes cover). */
export function canonical(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}
function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortDeep((value as Record<string, unknown>)[k])]));
  }
  return value;
}
