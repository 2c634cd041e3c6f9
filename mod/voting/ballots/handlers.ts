// Ballot RPCs: cast (idempotent per voter; batched per community, see cast-queue.ts), retract, read one's own
// (with where one's weight goes), list. What a reader may see of others' choices: ballots/privacy.ts.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { LockMode } from "@mikro-orm/core";
import type { VotingService } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { principalOf, requirePrincipal } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { failedPrecondition, reasonOf } from "../../../sys/core/errors.js";
import { decodeIdCursor, encodeIdCursor, pageSizeOf } from "../../../sys/core/pagination.js";
import { appendActivity } from "../activity/append.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { delegateViewOf, publicChoicesVisible } from "./privacy.js";
import { ballotMessage } from "./codec.js";
import { admitJoiner, eligibilityOf } from "./eligibility.js";
import { bearerOf } from "../../../sys/core/authn/principal.js";
import { type VotingDeps } from "../deps.js";
import { BallotEntity, PollEntity } from "../entities.js";
import { ensureSnapshot, loadPoll, notifyPollChanged } from "../polls/store.js";
import { ballotOf, parseChoice, type StoredBallot } from "./store.js";

type BallotHandlers = Pick<ServiceImpl<typeof VotingService>, "castBallot" | "retractBallot" | "getMyBallot" | "listBallots">;

export function createBallotHandlers(deps: VotingDeps): BallotHandlers {
  const { db, directory } = deps;

  return {
    async castBallot(req, ctx) {
      const cast = { communityId: req.communityId, pollId: req.pollId, voterId: requirePrincipal(ctx).accountId, ballot: req.ballot! };
      let outcome = await deps.casts.cast(cast).catch(async (error: unknown) => {
        // A member who joined while an "at_close" poll is open is admitted to its electorate on their first cast.
        if (reasonOf(error) !== "NOT_ELIGIBLE" || !await admitJoiner(db.em(), req.communityId, req.pollId, cast.voterId, directory, bearerOf(ctx))) throw error;
        return deps.casts.cast(cast);
      });
      if (outcome === "snapshot") {
        // Opened without its eligibility snapshot (deferred by the scheduler): take it with the caller's bearer.
        await ensureSnapshot(db.em(), req.communityId, req.pollId, directory, bearerOf(ctx));
        outcome = await deps.casts.cast(cast);
        if (outcome === "snapshot") throw failedPrecondition("ELIGIBILITY_PENDING", `poll ${req.pollId} has no eligibility snapshot yet`);
      }
      if (outcome.changed) deps.live.invalidate(req.pollId);
      return { changed: outcome.changed, castAt: timestampFromDate(outcome.castAt) };
    },

    async retractBallot(req, ctx) {
      const voter = requirePrincipal(ctx).accountId;
      const removed = await db.em().transactional(async (txem) => {
        const tx = txem as EntityManager;
        const poll = await tx.findOne(PollEntity, { id: req.pollId, communityId: req.communityId }, { lockMode: LockMode.PESSIMISTIC_READ });
        if (!poll) return loadPoll(tx, req.communityId, req.pollId).then(() => false);
        if (poll.state !== "open") throw failedPrecondition("POLL_NOT_OPEN", `poll ${req.pollId} is ${poll.state}`);
        const rows = await query(tx, `delete from ${tableOf(tx, BallotEntity)} where poll_id = ? and voter_id = ? returning voter_id`, [poll.id, voter]);
        if (rows.length === 0) return false; // nothing to retract: idempotent, nothing logged
        await appendActivity(tx, { communityId: poll.communityId, kind: "ballot_retracted", actorId: voter, pollId: poll.id, payload: { voter_id: voter } });
        await notifyPollChanged(tx, poll.id, "ballot");
        return true;
      });
      if (removed) deps.live.invalidate(req.pollId);
      return {};
    },

    async getMyBallot(req, ctx) {
      const me = requirePrincipal(ctx).accountId;
      const em = db.em();
      const poll = await loadPoll(em, req.communityId, req.pollId);
      const mine = await ballotOf(em, poll.id, me);
      // What the caller may learn about their delegate: ballots/privacy.ts.
      const [view, eligibility] = await Promise.all([delegateViewOf(em, poll, me, mine !== undefined), eligibilityOf(em, poll, me, directory, bearerOf(ctx))]);
      return {
        ballot: mine ? ballotMessage(mine.choice) : undefined,
        castAt: mine ? timestampFromDate(mine.castAt) : undefined,
        delegationChain: view.chain,
        delegateVoted: view.delegateVoted,
        delegateBallot: view.delegateBallot,
        eligible: eligibility.eligible,
        notEligibleReason: eligibility.reason,
      };
    },

    async listBallots(req, ctx) {
      const em = db.em();
      const poll = await loadPoll(em, req.communityId, req.pollId);
      const size = pageSizeOf(req.pageSize, 1000);
      const after = decodeVoterToken(req.pageToken);
      const caller = principalOf(ctx)?.accountId;
      const hasVoted = caller ? (await ballotOf(em, poll.id, caller)) !== undefined : false;
      // Choices of a public poll are shown once its results are visible to the caller, so a listing cannot
      // leak results that the poll's result visibility still hides (ballots/privacy.ts).
      const showChoices = publicChoicesVisible(poll, hasVoted);
      const rows = await query<StoredBallot>(em,
        `select voter_id, choice, cast_at from ${tableOf(em, BallotEntity)} where poll_id = ?${after ? " and voter_id > ?" : ""} order by voter_id limit ${size + 1}`,
        after ? [poll.id, after] : [poll.id]);
      const page = rows.slice(0, size);
      return {
        ballots: page.map((r) => ({ voterId: r.voter_id, ballot: showChoices ? ballotMessage(parseChoice(r.choice)) : undefined, castAt: timestampFromDate(new Date(r.cast_at)) })),
        nextPageToken: rows.length > size ? encodeIdCursor(page[page.length - 1].voter_id) : "",
      };
    },
  };
}

// Ballots page by voter id alone; the one page-token helper validates it.
const decodeVoterToken = (token: string) => decodeIdCursor(token);
