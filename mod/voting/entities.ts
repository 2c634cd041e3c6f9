// The voting module's polls, ballots, eligibility snapshots and published results. Community and account ids
// are references into sys by value only: mod never reads sys tables.
import { defineEntity, p, type InferEntity } from "@mikro-orm/core";
import type { ChoiceJson } from "@polity/tally";

export type { ChoiceJson } from "@polity/tally";

export interface PollOptionJson {
  id: string;
  label: string;
  description: string;
}

export type QuorumJson = { percentOfEligible: number } | { absolute: number };

export const PollEntity = defineEntity({
  name: "Poll",
  tableName: "polls",
  // Listing a community's polls in creation order; the scheduler's scan for due polls.
  indexes: [{ properties: ["communityId", "createdAt", "id"] }, { properties: ["state", "opensAt"] }, { properties: ["state", "closesAt"] }],
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid(),
    title: p.string().length(200),
    body: p.text(),
    options: p.json().$type<PollOptionJson[]>(),
    // The tally engine's method name: "proposal", "plurality", "approval", "score", "star", "irv", "schulze", "stv".
    method: p.string().length(16),
    topics: p.array().$type<string[]>(),
    opensAt: p.datetime().nullable(),
    closesAt: p.datetime().nullable(),
    timeZone: p.string().length(64),
    eligibleRoles: p.array().$type<string[]>(),
    quorum: p.json().$type<QuorumJson>().nullable(),
    passThresholdPercent: p.double().runtimeType("number").$type<number>(),
    seats: p.integer(),
    minSelections: p.integer(),
    maxSelections: p.integer(),
    maxScore: p.integer(),
    // "live", "after_vote", "after_close".
    resultVisibility: p.string().length(16),
    // "public", "secret".
    secrecy: p.string().length(16),
    tieBreakSeed: p.string().length(128),
    allowDelegation: p.boolean(),
    // Whether each voter sees the options in their own stable order (the web ballot seeds it by poll and voter).
    shuffleOptions: p.boolean().default(false),
    // When the electorate is fixed: "at_open" (the snapshot at open), "at_close" (that snapshot plus members who
    // join while the poll is open, fixed and logged at close).
    eligibilitySnapshot: p.string().length(16).default("at_open"),
    // "draft", "scheduled", "open", "closed".
    state: p.string().length(16),
    openedAt: p.datetime().nullable(),
    closedAt: p.datetime().nullable(),
    // Set once the eligible members have been snapshot (at open; see polls/scheduler.ts for scheduled polls).
    snapshotAt: p.datetime().nullable(),
    eligibleCount: p.integer(),
    createdBy: p.uuid(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    // Bumped on every write; the etag is derived from it.
    version: p.integer(),
  },
});
export type PollRow = InferEntity<typeof PollEntity>;

export const BallotEntity = defineEntity({
  name: "Ballot",
  tableName: "ballots",
  // The primary key (poll_id, voter_id) doubles as the "ballots of a poll" index.
  properties: {
    pollId: p.uuid().primary(),
    voterId: p.uuid().primary(),
    choice: p.json().$type<ChoiceJson>(),
    castAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type BallotRow = InferEntity<typeof BallotEntity>;

export const EligibleVoterEntity = defineEntity({
  name: "EligibleVoter",
  tableName: "eligible_voters",
  properties: {
    pollId: p.uuid().primary(),
    accountId: p.uuid().primary(),
    role: p.string().length(16),
  },
});
export type EligibleVoterRow = InferEntity<typeof EligibleVoterEntity>;

export const PollResultEntity = defineEntity({
  name: "PollResult",
  tableName: "poll_results",
  properties: {
    pollId: p.uuid().primary(),
    // The PollResults message as canonical JSON (protobuf JSON form); result_hash is its SHA-256.
    result: p.json().$type<Record<string, unknown>>(),
    resultHash: p.string().length(64),
    computedAt: p.datetime(),
  },
});
export type PollResultRow = InferEntity<typeof PollResultEntity>;

export const votingEntities = [PollEntity, BallotEntity, EligibleVoterEntity, PollResultEntity];
