// From stored ballots, the eligibility snapshot and the delegations in force to a PollResults message: the
// tally engine does the counting; this adds delegation weight, quorum, pass/fail and the result hash.
// The hash: hex SHA-256 of the canonical JSON (sorted keys, no spaces) of the PollResults message in protobuf
// JSON form with result_hash left empty — anyone holding the published result can recompute it.
import { createHash } from "node:crypto";
import { create, fromJson, type JsonObject, toJson } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type PollResults, PollResultsSchema, PollState } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { EntityManager } from "../../sys/core/db.js";
import { query, tableOf } from "./activity/sql.js";
import { canonical, stateEnums, tallyBallot } from "./codec.js";
import type { DelegationResolution } from "./contracts.js";
import { resolveDelegations } from "./delegation/resolve.js";
import { BallotEntity, type ChoiceJson, EligibleVoterEntity, type PollRow, PollResultEntity } from "./entities.js";
import { type Ballot, type Method, type Result, type TallyConfig, tally } from "./tally/index.js";
import { tallyConfigFor } from "./tally-config.js";

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
    `select voter_id, choice from ${tableOf(em, BallotEntity)} where poll_id = ?`, [pollId]);
  return rows.map((r) => ({ voterId: r.voter_id, choice: typeof r.choice === "string" ? JSON.parse(r.choice) : r.choice }));
}

function directOnly(eligible: string[], voters: ReadonlySet<string>): DelegationResolution {
  const weightByVoter = new Map<string, number>();
  for (const v of voters) weightByVoter.set(v, 1);
  return {
    weightByVoter,
    flows: eligible.filter((e) => voters.has(e)).map((voterId) => ({ voterId, chain: [], countedWith: voterId, outcome: "direct" as const })),
    delegatedWeight: 0,
    lostWeight: 0,
  };
}

/** Counts a poll as it stands in `em`'s view of the database. `final` marks a published result. */
export async function computeResults(em: EntityManager, poll: PollRow, final: boolean, now = new Date()): Promise<PollResults> {
  const [eligible, ballots] = await Promise.all([eligibleOf(em, poll.id), ballotsOf(em, poll.id)]);
  const voters = new Set(ballots.map((b) => b.voterId));
  const resolution = poll.allowDelegation
    ? await resolveDelegations({ em, communityId: poll.communityId, topics: poll.topics, eligible, voters })
    : directOnly(eligible, voters);
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
  const result = tally(poll.method as never, counted, tallyConfigOf(poll));
  const quorumMet = quorumOf(poll, countedWeight, eligible.length);
  const message = toMessage(poll, result, resolution, {
    final, quorumMet, countedWeight, eligible: eligible.length, ballots: ballots.length, computedAt: now,
  });
  message.resultHash = hashOf(message);
  return message;
}

function quorumOf(poll: PollRow, countedWeight: number, eligible: number): boolean {
  const q = poll.quorum;
  if (!q) return true;
  if ("absolute" in q) return countedWeight >= q.absolute;
  return eligible > 0 ? (countedWeight / eligible) * 100 >= q.percentOfEligible : q.percentOfEligible <= 0;
}

function passedOf(poll: PollRow, result: Result, quorumMet: boolean): boolean | undefined {
  if (poll.method === "proposal") return quorumMet && result.proposal?.outcome === "passed";
  if (poll.method !== "plurality") return undefined;
  const winner = result.winners[0];
  const total = result.totalWeight - result.blankWeight;
  if (!winner || total <= 0) return false;
  const share = (result.totals?.[winner] ?? 0) / total;
  const t = poll.passThresholdPercent;
  return quorumMet && (t > 0 ? share * 100 >= t : share > 0.5);
}

interface Counts {
  final: boolean;
  quorumMet: boolean;
  countedWeight: number;
  eligible: number;
  ballots: number;
  computedAt: Date;
}

function toMessage(poll: PollRow, result: Result, resolution: DelegationResolution, c: Counts): PollResults {
  const order = result.options;
  const totals = result.totals ?? result.rounds.at(-1)?.tallies ?? {};
  const matrix = (m?: number[][]) => (m ? { optionIds: order, rows: m.map((values) => ({ values })) } : undefined);
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
    passed: passedOf(poll, result, c.quorumMet),
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
  });
}

export function hashOf(results: PollResults): string {
  const json = toJson(PollResultsSchema, { ...results, resultHash: "" } as PollResults) as JsonObject;
  return createHash("sha256").update(canonical(json)).digest("hex");
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
