// Poll state transitions shared by the handlers and the scheduler: load (optionally locked), snapshot who is
// eligible, open, close. Each runs inside the caller's transaction and appends to the activity log there.
import { type JsonObject, toJson } from "@bufbuild/protobuf";
import { LockMode } from "@mikro-orm/core";
import { type PollResults, PollResultsSchema, PollSchema } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { apiError, failedPrecondition, notFound } from "../../../sys/core/errors.js";
import { publishAllInTransaction } from "../../../sys/core/notifier.js";
import { Code } from "@connectrpc/connect";
import type { CommunityRole, DirectoryPort } from "../../../sys/core/ports/directory-port.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { appendActivity, appendMany, lockHead } from "../activity/append.js";
import { choicesRevealedAtClose, revealedBallots } from "../ballots/privacy.js";
import type { ActivityInput } from "../contracts.js";
import { pollMessage } from "./codec.js";
import { EligibleVoterEntity, PollEntity, type PollRow } from "../entities.js";
import { computeResults, storeResults } from "../results/compute.js";

export const pollChannel = (pollId: string) => `poll:${pollId}`;
// Every poll change, payload the poll id: each replica's live-results cache listens here.
export const POLLS_CHANNEL = "voting:polls";

/** Tells watchers on every replica, once the transaction commits, that the poll(s) changed (one round trip). */
export function notifyPollChanged(em: EntityManager, pollIds: string | string[], what: string): Promise<void> {
  return publishAllInTransaction(em, [pollIds].flat().flatMap((id): Array<[string, string]> => [[pollChannel(id), what], [POLLS_CHANNEL, id]]));
}

/** The poll, scoped by community so an id from another community is NOT_FOUND. */
export async function loadPoll(em: EntityManager, communityId: string, pollId: string, lock = false): Promise<PollRow> {
  const row = await em.findOne(PollEntity, { id: pollId, communityId }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  if (!row) throw notFound("poll", pollId);
  return row;
}

export function touch(row: PollRow, now: Date): void {
  row.version += 1;
  row.updatedAt = now;
}

/**
 * Snapshots the members holding an eligible role; returns their ids. The directory decides with `bearer` (two
 * binaries) or directly (one binary). Throws UNAVAILABLE with reason ELIGIBILITY_UNAVAILABLE when it cannot be read.
 */
export async function snapshotEligibility(em: EntityManager, row: PollRow, directory: DirectoryPort, bearer: string | undefined, now: Date): Promise<string[]> {
  let members;
  try {
    members = await directory.listMembers(row.communityId, row.eligibleRoles as CommunityRole[], bearer);
  } catch (error) {
    throw apiError(Code.Unavailable, "ELIGIBILITY_UNAVAILABLE", `could not read the members of community ${row.communityId}: ${(error as Error).message}`);
  }
  const roles = new Set(row.eligibleRoles);
  const eligible = members.filter((m) => roles.has(m.role));
  const table = tableOf(em, EligibleVoterEntity);
  for (let i = 0; i < eligible.length; i += 5000) {
    const chunk = eligible.slice(i, i + 5000);
    await query(em, `insert into ${table} (poll_id, account_id, role) values ${chunk.map(() => "(?, ?, ?)").join(", ")} on conflict do nothing`,
      chunk.flatMap((m) => [row.id, m.accountId, m.role]));
  }
  row.eligibleCount = eligible.length;
  row.snapshotAt = now;
  return eligible.map((m) => m.accountId);
}

/** Adds members to the electorate of an "at_close" poll (no-op for those already in it); recounts it. */
export async function addToElectorate(em: EntityManager, row: PollRow, members: Array<{ accountId: string; role: string }>): Promise<void> {
  const table = tableOf(em, EligibleVoterEntity);
  for (let i = 0; i < members.length; i += 5000) {
    const chunk = members.slice(i, i + 5000);
    await query(em, `insert into ${table} (poll_id, account_id, role) values ${chunk.map(() => "(?, ?, ?)").join(", ")} on conflict do nothing`,
      chunk.flatMap((m) => [row.id, m.accountId, m.role]));
  }
  const [count] = await query<{ n: string | number }>(em, `select count(*) as n from ${table} where poll_id = ?`, [row.id]);
  row.eligibleCount = Number(count.n);
}

/**
 * Fixes the electorate of an "at_close" poll at close: the snapshot at open, the joiners admitted when they
 * voted, and whoever holds an eligible role now. When the directory cannot be read and `required` is false (the
 * scheduler of two binaries has no bearer) the electorate stays as it stands; either way the ids are returned
 * for the poll_closed entry.
 */
async function electorateAtClose(em: EntityManager, row: PollRow, directory: DirectoryPort | undefined, bearer: string | undefined, required: boolean): Promise<string[]> {
  let members: Array<{ accountId: string; role: string }> = [];
  try {
    if (!directory) throw new Error("no directory");
    const roles = new Set(row.eligibleRoles);
    members = (await directory.listMembers(row.communityId, row.eligibleRoles as CommunityRole[], bearer)).filter((m) => roles.has(m.role));
  } catch (error) {
    if (required) throw apiError(Code.Unavailable, "ELIGIBILITY_UNAVAILABLE", `could not read the members of community ${row.communityId}: ${(error as Error).message}`);
  }
  await addToElectorate(em, row, members);
  const rows = await query<{ account_id: string }>(em, `select account_id from ${tableOf(em, EligibleVoterEntity)} where poll_id = ? order by account_id`, [row.id]);
  return rows.map((r) => r.account_id);
}

/** Opens a draft or scheduled poll (locked by the caller). `snapshot` false defers eligibility (see polls/scheduler.ts). */
export async function openLocked(em: EntityManager, row: PollRow, actorId: string, now: Date, eligibility: { directory: DirectoryPort; bearer?: string; required: boolean }): Promise<void> {
  if (row.state !== "draft" && row.state !== "scheduled") throw failedPrecondition("POLL_NOT_DRAFT", `poll ${row.id} is ${row.state}`);
  if (row.closesAt && row.closesAt <= now) throw failedPrecondition("POLL_CLOSES_IN_PAST", `poll ${row.id} closes_at has passed`);
  let eligibleIds: string[] | undefined;
  try {
    eligibleIds = await snapshotEligibility(em, row, eligibility.directory, eligibility.bearer, now);
  } catch (error) {
    if (eligibility.required) throw error;
  }
  row.state = "open";
  row.openedAt = now;
  touch(row, now);
  await em.flush();
  // What `polity audit` recounts from: the poll's definition and who may vote (a deferred snapshot is logged
  // by ensureSnapshot as a poll_updated entry).
  await appendActivity(em, {
    communityId: row.communityId, kind: "poll_opened", actorId, pollId: row.id,
    payload: { poll: pollJson(row), eligible: row.eligibleCount, snapshot: eligibleIds !== undefined, ...(eligibleIds ? { eligible_ids: eligibleIds } : {}) },
  });
  await notifyPollChanged(em, row.id, "opened");
}

/** The poll as protobuf JSON, as logged at open. */
function pollJson(row: PollRow): JsonObject {
  return toJson(PollSchema, pollMessage(row)) as JsonObject;
}

/** Takes a deferred snapshot if the poll is open without one; no-op otherwise. Locks the poll. */
export async function ensureSnapshot(em: EntityManager, communityId: string, pollId: string, directory: DirectoryPort, bearer: string | undefined): Promise<void> {
  await em.transactional(async (tx) => {
    const row = await loadPoll(tx as EntityManager, communityId, pollId, true);
    if (row.state !== "open" || row.snapshotAt) return;
    const eligibleIds = await snapshotEligibility(tx as EntityManager, row, directory, bearer, new Date());
    touch(row, new Date());
    await tx.flush();
    await appendActivity(tx as EntityManager, {
      // The system takes it (whichever caller triggered it): the nil id, as for scheduled transitions.
      communityId: row.communityId, kind: "poll_updated", actorId: "00000000-0000-0000-0000-000000000000", pollId: row.id,
      payload: { fields: ["eligible_ids"], eligible: eligibleIds.length, eligible_ids: eligibleIds },
    });
    await notifyPollChanged(tx as EntityManager, row.id, "snapshot");
  });
}

/** Closes an open poll (locked by the caller): counts from the state at this instant and publishes the result. */
export async function closeLocked(em: EntityManager, row: PollRow, actorId: string, now: Date,
  electorate: { directory?: DirectoryPort; bearer?: string; required: boolean } = { required: false }): Promise<PollResults> {
  if (row.state !== "open") throw failedPrecondition("POLL_NOT_OPEN", `poll ${row.id} is ${row.state}`);
  if (!row.snapshotAt) throw failedPrecondition("ELIGIBILITY_PENDING", `poll ${row.id} has no eligibility snapshot yet`);
  // Read before the log's head is locked: the directory may be a remote call.
  const closingIds = row.eligibilitySnapshot === "at_close"
    ? await electorateAtClose(em, row, electorate.directory, electorate.bearer, electorate.required)
    : undefined;
  // The log's head is locked before counting: a delegation change (which appends under the same lock in its own
  // transaction) then lands either wholly before the count and the poll_closed entry, or wholly after both, so
  // the delegations the log shows in force at poll_closed are exactly those counted.
  await lockHead(em, row.communityId);
  row.state = "closed";
  row.closedAt = now;
  touch(row, now);
  await em.flush();
  const results = await computeResults(em, row, true, now);
  await storeResults(em, results);
  // Choices the log kept hidden while the poll was open are published with its close, in this transaction, so
  // the log alone recounts every public poll (ballots/privacy.ts).
  const entry = (kind: ActivityInput["kind"], payload: Record<string, unknown>): ActivityInput => ({ communityId: row.communityId, kind, actorId, pollId: row.id, payload });
  // An "at_close" electorate is fixed here, so the log records it here (what `polity audit` recounts with).
  const entries = [entry("poll_closed", { ballots: results.ballots, ...(closingIds ? { eligible: closingIds.length, eligible_ids: closingIds } : {}) })];
  if (choicesRevealedAtClose(row)) for (const payload of await revealedBallots(em, row.id)) entries.push(entry("ballots_revealed", payload));
  entries.push(entry("result_published", {
    result_hash: results.resultHash, winners: results.winners, ...(results.passed !== undefined ? { passed: results.passed } : {}),
    result: toJson(PollResultsSchema, results) as JsonObject,
  }));
  // In statements of at most 1,000 entries (9 parameters each, under PostgreSQL's 65,535); the head stays locked.
  for (let i = 0; i < entries.length; i += 1000) await appendMany(em, entries.slice(i, i + 1000));
  await notifyPollChanged(em, row.id, "closed");
  return results;
}
