// Conversions between the Poll message and the stored row, and the enums' names. No I/O.
import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Method } from "@polity/tally";
import {
  BallotSecrecy, EligibilitySnapshot, type Poll, PollSchema, PollState, QuorumSchema, ResultVisibility, VotingMethod,
} from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { PollRow, QuorumJson } from "../entities.js";

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


/** Unspecified visibility and secrecy take the safe reading: results after close, ballots secret. */
export function visibilityName(v: ResultVisibility): string {
  return visibilityNames[v] ?? "after_close";
}
export function secrecyName(v: BallotSecrecy): string {
  return secrecyNames[v] ?? "secret";
}

/** Unspecified means at open (the behaviour before the choice existed). */
export function eligibilitySnapshotName(v: EligibilitySnapshot): "at_open" | "at_close" {
  return v === EligibilitySnapshot.AT_CLOSE ? "at_close" : "at_open";
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
    shuffleOptions: row.shuffleOptions,
    eligibilitySnapshot: row.eligibilitySnapshot === "at_close" ? EligibilitySnapshot.AT_CLOSE : EligibilitySnapshot.AT_OPEN,
  });
}

export const dateOf = (ts: Poll["opensAt"]) => (ts ? timestampDate(ts) : null);
