// Who may vote in a poll, as the caller sees it (GetMyBallot's eligible and not_eligible_reason), and admission
// of members who join while an "at_close" poll is open. CastBallot itself checks the eligible_voters table.
import { Code } from "@connectrpc/connect";
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "../../../sys/core/db.js";
import { apiError } from "../../../sys/core/errors.js";
import type { DirectoryPort, MemberRecord } from "../../../sys/core/ports/directory-port.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { EligibleVoterEntity, PollEntity, type PollRow } from "../entities.js";
import { notifyPollChanged } from "../polls/store.js";

export type NotEligibleReason = "" | "NOT_MEMBER" | "ROLE_NOT_ELIGIBLE" | "JOINED_AFTER_SNAPSHOT";

async function inElectorate(em: EntityManager, pollId: string, me: string): Promise<boolean> {
  const rows = await query(em, `select 1 from ${tableOf(em, EligibleVoterEntity)} where poll_id = ? and account_id = ?`, [pollId, me]);
  return rows.length > 0;
}

async function membershipOf(poll: PollRow, me: string, directory: DirectoryPort, bearer: string | undefined): Promise<MemberRecord | undefined> {
  try {
    return (await directory.listMembers(poll.communityId, [], bearer)).find((m) => m.accountId === me);
  } catch (error) {
    throw apiError(Code.Unavailable, "ELIGIBILITY_UNAVAILABLE", `could not read the members of community ${poll.communityId}: ${(error as Error).message}`);
  }
}

/** Whether an "at_close" poll still admits members who hold an eligible role now. */
const admitsJoiners = (poll: PollRow) => poll.eligibilitySnapshot === "at_close" && poll.state === "open";

/**
 * Once the snapshot is taken: whether the caller is in it (what CastBallot checks), or, for an open "at_close"
 * poll, would be admitted by voting now. Before it: the caller's current role, which is what the snapshot will
 * see if it is taken now. The reason names why not, from the caller's current membership.
 */
export async function eligibilityOf(em: EntityManager, poll: PollRow, me: string, directory: DirectoryPort, bearer: string | undefined):
  Promise<{ eligible: boolean; reason: NotEligibleReason }> {
  if (poll.snapshotAt && await inElectorate(em, poll.id, me)) return { eligible: true, reason: "" };
  let member: MemberRecord | undefined;
  try {
    member = await membershipOf(poll, me, directory, bearer);
  } catch (error) {
    // The snapshot answers "no" without the directory; only the reason is lost.
    if (poll.snapshotAt) return { eligible: false, reason: "" };
    throw error;
  }
  if (!member) return { eligible: false, reason: "NOT_MEMBER" };
  if (!poll.eligibleRoles.includes(member.role)) return { eligible: false, reason: "ROLE_NOT_ELIGIBLE" };
  if (!poll.snapshotAt || admitsJoiners(poll)) return { eligible: true, reason: "" };
  return { eligible: false, reason: "JOINED_AFTER_SNAPSHOT" };
}

/**
 * Adds the caller to an open "at_close" poll's electorate when they hold an eligible role now; returns whether
 * they were added (false: the poll does not admit joiners, or the caller may not vote).
 */
export async function admitJoiner(em: EntityManager, communityId: string, pollId: string, me: string, directory: DirectoryPort, bearer: string | undefined): Promise<boolean> {
  const poll = await em.findOne(PollEntity, { id: pollId, communityId });
  if (!poll || !admitsJoiners(poll)) return false;
  const member = await membershipOf(poll, me, directory, bearer);
  if (!member || !poll.eligibleRoles.includes(member.role)) return false;
  return em.transactional(async (txem) => {
    const tx = txem as EntityManager;
    // Shared with casts, exclusive with ClosePoll: a joiner is admitted wholly before the close or not at all.
    const row = await tx.findOne(PollEntity, { id: pollId, communityId }, { lockMode: LockMode.PESSIMISTIC_READ });
    if (!row || !admitsJoiners(row)) return false;
    const added = await query(tx, `insert into ${tableOf(tx, EligibleVoterEntity)} (poll_id, account_id, role) values (?, ?, ?) on conflict do nothing returning account_id`,
      [row.id, me, member.role]);
    // Only the count changes, by increment (concurrent joiners hold the same shared lock); the version and etag stay.
    if (added.length) await query(tx, `update ${tableOf(tx, PollEntity)} set eligible_count = eligible_count + 1 where id = ?`, [row.id]);
    await notifyPollChanged(tx, row.id, "electorate");
    return true;
  });
}
