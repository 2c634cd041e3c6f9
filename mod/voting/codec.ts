// Conversions between the proto messages and the stored rows / the tally engine's shapes. No I/O.
import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Ballot as BallotMessage, BallotSchema, BallotSecrecy, type Poll, PollSchema, PollState, ProposalChoice,
  QuorumSchema, ResultVisibility, VotingMethod,
} from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { ChoiceJson, PollRow, QuorumJson } from "./entities.js";
import type { Ballot as TallyBallot, Method, ProposalPosition } from "./tally/index.js";

export const methodNames: Record<number, Method> = {
  [VotingMethod.PROPOSAL]: "proposal",
  [VotingMethod.SINGLE_CHOICE]: "plurality",
  [VotingMethod.APPROVAL]: "approval",
  [VotingMethod.SCORE]: "score",
  [VotingMethod.STAR]: "star",
  [VotingMethod.RANKED_IRV]: "irv",
  [VotingMethod.SCHULZE]: "schulze",
  [VotingMethod.STV]: "stv",
};
const methodEnums = Object.fromEntries(Object.entries(methodNames).map(([k, v]) => [v, Number(k)])) as Record<Method, VotingMethod>;

const visibilityNames: Record<number, string> = {
  [ResultVisibility.LIVE]: "live", [ResultVisibility.AFTER_VOTE]: "after_vote", [ResultVisibility.AFTER_CLOSE]: "after_close",
};
const secrecyNames: Record<number, string> = { [BallotSecrecy.PUBLIC]: "public", [BallotSecrecy.SECRET]: "secret" };
export const stateNames: Record<number, string> = {
  [PollState.DRAFT]: "draft", [PollState.SCHEDULED]: "scheduled", [PollState.OPEN]: "open", [PollState.CLOSED]: "closed",
};
const inverse = (m: Record<number, string>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [v, Number(k)]));
const visibilityEnums = inverse(visibilityNames);
const secrecyEnums = inverse(secrecyNames);
export const stateEnums = inverse(stateNames) as Record<string, PollState>;

const positions: Record<number, ProposalPosition> = {
  [ProposalChoice.AGREE]: "agree", [ProposalChoice.DISAGREE]: "disagree", [ProposalChoice.ABSTAIN]: "abstain", [ProposalChoice.BLOCK]: "block",
};
const positionEnums = inverse(positions) as Record<ProposalPosition, ProposalChoice>;

/** Unspecified visibility and secrecy take the safe reading: results after close, ballots secret. */
export function visibilityName(v: ResultVisibility): string {
  return visibilityNames[v] ?? "after_close";
}
export function secrecyName(v: BallotSecrecy): string {
  return secrecyNames[v] ?? "secret";
}

export function quorumJson(poll: Poll): QuorumJson | null {
  const kind = poll.quorum?.kind;
  if (kind?.case === "percentOfEligible") return { percentOfEligible: kind.value };
  if (kind?.case === "absolute") return { absolute: kind.value };
  return null;
}

export function etagOf(row: PollRow): string {
  return `W/"${row.version}"`;
}

export function pollMessage(row: PollRow): Poll {
  const quorum = row.quorum
    ? create(QuorumSchema, { kind: "absolute" in row.quorum ? { case: "absolute", value: row.quorum.absolute } : { case: "percentOfEligible", value: row.quorum.percentOfEligible } })
    : undefined;
  return create(PollSchema, {
    id: row.id,
    communityId: row.communityId,
    title: row.title,
    body: row.body,
    options: row.options,
    method: methodEnums[row.method as Method],
    topics: row.topics,
    opensAt: row.opensAt ? timestampFromDate(row.opensAt) : undefined,
    closesAt: row.closesAt ? timestampFromDate(row.closesAt) : undefined,
    timeZone: row.timeZone,
    eligibleRoles: row.eligibleRoles,
    quorum,
    passThresholdPercent: row.passThresholdPercent,
    seats: row.seats,
    minSelections: row.minSelections,
    maxSelections: row.maxSelections,
    maxScore: row.maxScore,
    resultVisibility: visibilityEnums[row.resultVisibility],
    secrecy: secrecyEnums[row.secrecy],
    tieBreakSeed: row.tieBreakSeed,
    allowDelegation: row.allowDelegation,
    state: stateEnums[row.state],
    openedAt: row.openedAt ? timestampFromDate(row.openedAt) : undefined,
    closedAt: row.closedAt ? timestampFromDate(row.closedAt) : undefined,
    createdBy: row.createdBy,
    createdAt: timestampFromDate(row.createdAt),
    eligibleCount: row.eligibleCount,
    etag: etagOf(row),
  });
}

export const dateOf = (ts: Poll["opensAt"]) => (ts ? timestampDate(ts) : null);

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

/** The tally engine's ballot for a stored choice with a weight; undefined when the kind does not fit the method. */
export function tallyBallot(method: Method, choice: ChoiceJson, count: number): TallyBallot | undefined {
  switch (method) {
    case "proposal": return "proposal" in choice ? { position: choice.proposal, count } : undefined;
    case "plurality": return "optionId" in choice ? { choices: [choice.optionId], count } : undefined;
    case "approval": return "approval" in choice ? { choices: choice.approval, count } : undefined;
    case "score": case "star": return "scores" in choice ? { scores: choice.scores, count } : undefined;
    default: return "ranking" in choice ? { ranks: choice.ranking, count } : undefined;
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
