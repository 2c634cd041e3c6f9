// From stored ballots, the eligibility snapshot and the delegations in force to a PollResults message: the
// tally engine does the counting; this adds delegation weight, quorum, pass/fail and the result hash.
// The hash: hex SHA-256 of the canonical JSON (sorted keys, no spaces) of the PollResults message in protobuf
// JSON form with result_hash left empty — anyone holding the published result can recompute it.
import { createHash } from "node:crypto";
import { create, fromJson, type JsonObject, toJson } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Ballot, type Method, type Result, type TallyConfig, tally, tallyBallot, tallyConfigFor, verdictOf } from "@polity/tally";
import { type PollResults, PollResultsSchema, PollState, Verdict } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { liveResultsCountDelegation } from "../ballots/privacy.js";
import { stateEnums } from "../polls/codec.js";
import type { DelegationResolution } from "../contracts.js";
import { resolveDelegations } from "../delegation/resolve.js";
import { BallotEntity, type ChoiceJson, EligibleVoterEntity, type PollRow, PollResultEntity } from "../entities.js";
import { forEachGroupedBallot, parsed, votersOf } from "./grouped-ballots.js";

/** The engine's configuration from the stored poll (the same rules audit applies to the logged poll). */
export function tallyConfigOf(poll: PollRow): TallyConfig {
  return tallyConfigFor({ ...poll, method: poll.method as Method, optionIds: poll.options.map((o) => o.id) });
}

export async function eligibleOf(em: EntityManager, pollId: string): Promise<string[]> {
  const rows = await query<{ account_id: string }>(em, `select account_id from ${tableOf(em, EligibleVoterEntity)} where poll_id = ?`, [pollId]);
  return rows.map((r) => r.account_id);
}

export async function ballotsOf(em: EntityManager, pollId: string): Promise<Array<{ voterId: string; choice: ChoiceJson }>> {
  const rows = await query<{ voter_id: string; choice: ChoiceJson | string }>(em,
    `select voter_id, choice from ${tableOf(em, BallotEntity)} where poll_id = ? order by ctid`, [pollId]);
  return rows.map((r) => ({ voterId: r.voter_id, choice: parsed(r.choice) }));
}

function directOnly(eligible: string[], voters: ReadonlySet<string>): DelegationResolution {
  return {
    // Everyone weighs 1, which is what a voter missing from the map counts for.
    weightByVoter: new Map(),
    flows: eligible.filter((e) => voters.has(e)).map((voterId) => ({ voterId, chain: [], countedWith: voterId, outcome: "direct" as const })),
    delegatedWeight: 0,
    lostWeight: 0,
  };
}

// Before close a secret poll counts direct ballots only (ballots/privacy.ts, rule 4): delegating to a voter must
// not move a live tally by their ballot.
async function resolutionOf(em: EntityManager, poll: PollRow, final: boolean, eligible: string[], voters: ReadonlySet<string>): Promise<DelegationResolution> {
  return poll.allowDelegation && (final || liveResultsCountDelegation(poll))
    ? resolveDelegations({ em, communityId: poll.communityId, topics: poll.topics, eligible, voters })
    : directOnly(eligible, voters);
}

/**
 * Counts a poll as it stands in `em`'s view of the database. `final` marks a published result.
 * Ballots are read grouped by identical choice in the database (see grouped-ballots.ts): memory follows the
 * number of distinct ballots, not of voters — only the voter ids (for delegation and the weight flows) are
 * read one per voter.
 */
export async function computeResults(em: EntityManager, poll: PollRow, final: boolean, now = new Date()): Promise<PollResults> {
  const [eligible, voterIds] = await Promise.all([eligibleOf(em, poll.id), votersOf(em, poll.id)]);
  const resolution = await resolutionOf(em, poll, final, eligible, new Set(voterIds));
  voterIds.length = 0;
  const counted: Ballot[] = [];
  let countedWeight = 0;
  let ballots = 0;
  await forEachGroupedBallot(em, poll.id, resolution.weightByVoter, (g) => {
    ballots += g.ballots;
    const ballot = tallyBallot(poll.method as never, g.choice, g.weight);
    if (!ballot) return;
    counted.push(ballot);
    countedWeight += g.weight;
  });
  return finish(poll, final, now, eligible.length, ballots, counted, countedWeight, resolution);
}

/**
 * The reference path: every ballot read and weighted one by one. Gives the same PollResults as computeResults
 * (tests hold them equal); kept for those tests and the benchmark.
 */
export async function computeResultsPerBallot(em: EntityManager, poll: PollRow, final: boolean, now = new Date()): Promise<PollResults> {
  const [eligible, ballots] = await Promise.all([eligibleOf(em, poll.id), ballotsOf(em, poll.id)]);
  const resolution = await resolutionOf(em, poll, final, eligible, new Set(ballots.map((b) => b.voterId)));
  const counted: Ballot[] = [];
  let countedWeight = 0;
  for (const b of ballots) {
    const weight = resolution.weightByVoter.get(b.voterId) ?? 1;
    const ballot = tallyBallot(poll.method as never, b.choice, weight);
    // A ballot of another kind can only exist if the method changed after casting, which UpdatePoll forbids.
    if (!ballot) continue;
    counted.push(ballot);
    countedWeight += weight;
  }
  return finish(poll, final, now, eligible.length, ballots.length, counted, countedWeight, resolution);
}

function finish(poll: PollRow, final: boolean, now: Date, eligible: number, ballots: number, counted: Ballot[], countedWeight: number,
  resolution: DelegationResolution): PollResults {
  const result = tally(poll.method as never, counted, tallyConfigOf(poll));
  const quorumNeeded = quorumNeededOf(poll, eligible);
  const quorumMet = quorumNeeded === undefined || countedWeight >= quorumNeeded;
  const message = toMessage(poll, result, resolution, { final, quorumMet, quorumNeeded, countedWeight, eligible, ballots, computedAt: now });
  message.resultHash = hashOf(message);
  return message;
}

/**
 * The counted weight a quorum asks for, from the eligible voters (each weighs one; delegation moves weight, it
 * adds none); undefined when the poll has no quorum, or one that asks for nothing.
 */
export function quorumNeededOf(poll: PollRow, eligible: number): number | undefined {
  const q = poll.quorum;
  if (!q) return undefined;
  const needed = "absolute" in q ? q.absolute : (eligible * q.percentOfEligible) / 100;
  return needed > 0 ? needed : undefined;
}

/** The answer to the poll's pass/fail question, when it asks one: a proposal, or single choice with a threshold. */
function passedOf(poll: PollRow, result: Result, quorumMet: boolean): boolean | undefined {
  if (poll.method === "proposal") return quorumMet && result.proposal?.outcome === "passed";
  if (poll.method !== "plurality" || !(poll.passThresholdPercent > 0)) return undefined;
  const winner = result.winners[0];
  const total = result.totalWeight - result.blankWeight;
  if (!winner || total <= 0) return false;
  return quorumMet && ((result.totals?.[winner] ?? 0) / total) * 100 >= poll.passThresholdPercent;
}

const VERDICTS = {
  elected: Verdict.ELECTED, passed: Verdict.PASSED, rejected: Verdict.REJECTED, tied_broken_by_seed: Verdict.TIED_BROKEN_BY_SEED,
  no_quorum: Verdict.NO_QUORUM, no_votes: Verdict.NO_VOTES,
} as const;

interface Counts {
  final: boolean;
  quorumMet: boolean;
  quorumNeeded?: number;
  countedWeight: number;
  eligible: number;
  ballots: number;
  computedAt: Date;
}

function toMessage(poll: PollRow, result: Result, resolution: DelegationResolution, c: Counts): PollResults {
  const order = result.options;
  const totals = result.totals ?? result.rounds.at(-1)?.tallies ?? {};
  const matrix = (m?: number[][]) => (m ? { optionIds: order, rows: m.map((values) => ({ values })) } : undefined);
  const passed = passedOf(poll, result, c.quorumMet);
  const { verdict, decidedBy: t } = verdictOf(result, { quorumMet: c.quorumMet, passed });
  return create(PollResultsSchema, {
    pollId: poll.id,
    state: c.final ? PollState.CLOSED : stateEnums[poll.state],
    final: c.final,
    eligible: c.eligible,
    ballots: c.ballots,
    countedWeight: c.countedWeight,
    delegatedWeight: resolution.delegatedWeight,
    lostWeight: resolution.lostWeight,
    quorumMet: c.quorumMet,
    passed,
    winners: result.winners,
    ranking: result.ranking.map((id) => ({ optionIds: [id] })),
    tallies: order.filter((id) => id in totals).map((optionId) => ({ optionId, votes: totals[optionId] })),
    rounds: result.rounds.map((r) => ({
      number: r.round,
      tallies: Object.entries(r.tallies).map(([optionId, votes]) => ({ optionId, votes })),
      elected: r.elected,
      eliminated: r.eliminated,
      // Several options excluded together transfer as one source, named "a,b".
      transfers: r.transfers ? Object.entries(r.transfers.to).map(([to, votes]) => ({ fromOptionId: r.transfers!.from.join(","), toOptionId: to, votes })) : [],
      exhausted: r.exhausted,
    })),
    pairwise: matrix(result.pairwise),
    strongestPaths: matrix(result.strongestPaths),
    quota: result.quota ?? 0,
    tieBreaks: result.tieBreaks.map((t) => `${t.round ? `round ${t.round}: ` : ""}${t.purpose} among ${t.tied.join(", ")} → ${t.chosen} (${t.rule}: ${t.detail})`),
    weightFlows: resolution.flows.map((f) => ({ voterId: f.voterId, chain: f.chain, countedWith: f.countedWith, outcome: f.outcome })),
    computedAt: timestampFromDate(c.computedAt),
    verdict: VERDICTS[verdict],
    decidedBy: t && { round: t.round ?? 0, purpose: t.purpose, tiedOptionIds: t.tied, chosenOptionId: t.chosen, rule: t.rule, detail: t.detail },
    quorumNeeded: c.quorumNeeded,
  });
}

export function hashOf(results: PollResults): string {
  const json = toJson(PollResultsSchema, { ...results, resultHash: "" } as PollResults) as JsonObject;
  return canonicalHash(json);
}

/**
 * hex SHA-256 of canonical(value), fed in chunks instead of building the sorted copy and the whole string: a
 * result carries a weight flow per voter, and both would be hundreds of megabytes for a million voters.
 */
const INDEX = /^(?:0|[1-9]\d*)$/;

export function canonicalHash(value: unknown): string {
  const hash = createHash("sha256");
  let buf = "";
  const put = (s: string) => {
    buf += s;
    if (buf.length > 65_536) {
      hash.update(buf);
      buf = "";
    }
  };
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      put("[");
      for (let i = 0; i < v.length; i++) {
        if (i) put(",");
        walk(v[i] === undefined ? null : v[i]);
      }
      put("]");
    } else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      let keys = Object.keys(o).sort();
      // canonical() rebuilds objects, which list integer-like keys first: follow it when there are any.
      if (keys.some((k) => INDEX.test(k))) keys = Object.keys(Object.fromEntries(keys.map((k) => [k, 0])));
      put("{");
      let first = true;
      for (const k of keys) {
        if (o[k] === undefined) continue;
        put(`${first ? "" : ","}${JSON.stringify(k)}:`);
        first = false;
        walk(o[k]);
      }
      put("}");
    } else put(JSON.stringify(v));
  };
  walk(value);
  hash.update(buf);
  return hash.digest("hex");
}

/** Stores a final result (one per poll). */
export async function storeResults(em: EntityManager, results: PollResults): Promise<void> {
  const json = toJson(PollResultsSchema, results) as JsonObject;
  await query(em, `insert into ${tableOf(em, PollResultEntity)} (poll_id, result, result_hash, computed_at) values (?, ?, ?, ?)`,
    [results.pollId, JSON.stringify(json), results.resultHash, new Date()]);
}

export async function loadResults(em: EntityManager, pollId: string): Promise<PollResults | undefined> {
  const [row] = await query<{ result: JsonObject | string }>(em, `select result from ${tableOf(em, PollResultEntity)} where poll_id = ?`, [pollId]);
  if (!row) return undefined;
  return fromJson(PollResultsSchema, typeof row.result === "string" ? JSON.parse(row.result) : row.result);
}
