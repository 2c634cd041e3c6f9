// Who may see which ballot choice, and through which RPC. Every path that can carry a choice asks here.
//
//   1. A voter always sees their own ballot (GetMyBallot.ballot).
//   2. PUBLIC polls: a choice is public once the poll's results are visible to the reader (results/visibility.ts:
//      live → while open; after_vote → to readers who voted themselves; everyone after close). ListBallots and
//      GetMyBallot.delegate_ballot apply that per reader. The activity log is read by anyone who may read the
//      community, so a ballot entry carries its choice only when the poll's results are `live`; for the others
//      the choices are appended at close, in the closing transaction, as `ballots_revealed` entries
//      (revealedBallots below), before `result_published`, so `polity audit` can still recount from the log.
//   3. SECRET polls: no choice is ever listed (ListBallots), logged, streamed or put in results. The one
//      exception is a delegate's choice shown to their delegators, and only:
//        - after close, and
//        - to a member who did not vote and whose weight the FINAL result's recorded weight flow counted with
//          that delegate's ballot (transitively: the last delegate of the chain, whose ballot counted).
//      While the poll is open a delegator sees only the chain their weight currently follows and whether its
//      last delegate has voted (GetMyBallot.delegate_voted) — never the choice; otherwise delegating to someone
//      who voted, peeking and revoking would read any ballot. Someone who delegated and revoked before close has
//      no such flow, and sees nothing.
//   4. Live results of a SECRET poll (GetResults, WatchPoll, for `live` and `after_vote` visibility) count direct
//      ballots only; delegated weight and its flows are applied at close. Otherwise delegating to a voter would
//      move the live tally by exactly their ballot: the same peek through another door.
// What stays visible by design: who voted and when (ListBallots, the log), delegations (the log, ListDelegations),
// tallies as result visibility allows, and per-voter weight flows (who counted with whose ballot, no choices)
// in final results. A tally is an aggregate: when few people vote it can still say much about each of them.
import type { Ballot } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { ballotMessage } from "./codec.js";
import { resolveDelegations } from "../delegation/resolve.js";
import { BallotEntity, type ChoiceJson, type PollRow, PollResultEntity } from "../entities.js";
import { resultsVisible } from "../results/visibility.js";

type PollPrivacy = Pick<PollRow, "secrecy" | "resultVisibility">;

/** Rule 2: whether a ballot's log entry may carry its choice at the time it is cast. */
export const choiceLoggedWhileOpen = (poll: PollPrivacy): boolean => poll.secrecy === "public" && poll.resultVisibility === "live";

/** Rule 2: whether the poll's choices are published in the log when it closes (the others never, or already). */
export const choicesRevealedAtClose = (poll: PollPrivacy): boolean => poll.secrecy === "public" && poll.resultVisibility !== "live";

/** Rule 4: whether results counted before close may include delegated weight. */
export const liveResultsCountDelegation = (poll: PollPrivacy): boolean => poll.secrecy !== "secret";

/** Rule 2: whether a reader sees the choices of a public poll now. */
export const publicChoicesVisible = (poll: Pick<PollRow, "secrecy" | "resultVisibility" | "state">, readerHasVoted: boolean): boolean =>
  poll.secrecy === "public" && resultsVisible(poll, readerHasVoted);

// Ballots per ballots_revealed entry: keeps each entry (and a ListActivity page) a bounded size.
export const REVEAL_CHUNK = 1000;

/** The payloads of a closing poll's ballots_revealed entries: every stored ballot, by voter id. */
export async function revealedBallots(em: EntityManager, pollId: string): Promise<Array<{ ballots: Array<{ voter_id: string; choice: ChoiceJson }> }>> {
  const rows = await query<{ voter_id: string; choice: ChoiceJson | string }>(em,
    `select voter_id, choice from ${tableOf(em, BallotEntity)} where poll_id = ? order by voter_id`, [pollId]);
  const payloads = [];
  for (let i = 0; i < rows.length; i += REVEAL_CHUNK) {
    payloads.push({ ballots: rows.slice(i, i + REVEAL_CHUNK).map((r) => ({ voter_id: r.voter_id, choice: typeof r.choice === "string" ? JSON.parse(r.choice) : r.choice })) });
  }
  return payloads;
}

export interface DelegateView {
  chain: string[];
  delegateVoted: boolean;
  delegateBallot?: Ballot;
}

/** GetMyBallot's view of where the caller's weight goes, and the delegate's choice where rules 2 and 3 allow it. */
export async function delegateViewOf(em: EntityManager, poll: PollRow, me: string, iVoted: boolean): Promise<DelegateView> {
  if (!poll.allowDelegation || (poll.state !== "open" && poll.state !== "closed")) return { chain: [], delegateVoted: false };
  const flow = poll.state === "closed" ? await finalFlowOf(em, poll.id, me) : await currentFlowOf(em, poll, me);
  if (!flow) return { chain: [], delegateVoted: false };
  const delegate = flow.outcome === "delegated" && flow.countedWith && flow.countedWith !== me ? flow.countedWith : undefined;
  const view: DelegateView = { chain: flow.chain, delegateVoted: delegate !== undefined };
  // Secret: only after close, from the final flow (which only a member who did not vote has as "delegated").
  const mayShow = poll.secrecy === "secret" ? poll.state === "closed" : publicChoicesVisible(poll, iVoted);
  if (delegate && mayShow) {
    const [theirs] = await query<{ choice: ChoiceJson | string }>(em,
      `select choice from ${tableOf(em, BallotEntity)} where poll_id = ? and voter_id = ?`, [poll.id, delegate]);
    if (theirs) view.delegateBallot = ballotMessage(typeof theirs.choice === "string" ? JSON.parse(theirs.choice) : theirs.choice);
  }
  return view;
}

interface Flow {
  chain: string[];
  countedWith: string;
  outcome: string;
}

/** Open poll: where my weight would go if I did not vote, everyone else voting as they have. */
async function currentFlowOf(em: EntityManager, poll: PollRow, me: string): Promise<Flow | undefined> {
  const voters = new Set((await query<{ voter_id: string }>(em, `select voter_id from ${tableOf(em, BallotEntity)} where poll_id = ?`, [poll.id])).map((r) => r.voter_id));
  voters.delete(me);
  const resolution = await resolveDelegations({ em, communityId: poll.communityId, topics: poll.topics, eligible: [me], voters });
  return resolution.flows.find((f) => f.voterId === me);
}

/** Closed poll: my flow as the published result records it (read in the database: a result holds one per voter). */
async function finalFlowOf(em: EntityManager, pollId: string, me: string): Promise<Flow | undefined> {
  const [row] = await query<{ flow: Record<string, unknown> | string }>(em,
    `select f as flow from ${tableOf(em, PollResultEntity)} r, jsonb_array_elements(r.result -> 'weightFlows') f
     where r.poll_id = ? and f ->> 'voterId' = ? limit 1`, [pollId, me]);
  if (!row) return undefined;
  const f = (typeof row.flow === "string" ? JSON.parse(row.flow) : row.flow) as { chain?: string[]; countedWith?: string; outcome?: string };
  return { chain: f.chain ?? [], countedWith: f.countedWith ?? "", outcome: f.outcome ?? "" };
}
