// GetResults and WatchPoll: the final result once published, live results where the poll's result visibility
// lets the caller see them, and a stream that follows every change made on any replica.
import { create, equals } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { type PollResults, type VotingService, type WatchPollResponse, WatchPollResponseSchema } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { principalOf } from "../../../sys/core/authn/principal.js";
import { failedPrecondition } from "../../../sys/core/errors.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { ballotOf } from "../ballots/store.js";
import { stateEnums } from "../polls/codec.js";
import { bearerOf } from "../../../sys/core/authn/principal.js";
import { type VotingDeps } from "../deps.js";
import { BallotEntity, type PollRow } from "../entities.js";
import { ensureSnapshot, loadPoll, pollChannel } from "../polls/store.js";
import { loadResults } from "./compute.js";
import { resultsVisible } from "./visibility.js";

type ResultHandlers = Pick<ServiceImpl<typeof VotingService>, "getResults" | "watchPoll">;

// At most one WatchPoll update per poll per this many ms per stream: a burst of ballots becomes one message.
export const WATCH_COALESCE_MS = 100;

export function createResultHandlers(deps: VotingDeps): ResultHandlers {
  const { db } = deps;

  const load = async (communityId: string, pollId: string, ctx: HandlerContext): Promise<PollRow> => {
    const row = await loadPoll(db.em(), communityId, pollId);
    const bearer = bearerOf(ctx);
    if (row.state === "open" && !row.snapshotAt && bearer) {
      await ensureSnapshot(db.em(), communityId, pollId, deps.directory, bearer).catch(() => {});
      return loadPoll(db.em(), communityId, pollId);
    }
    return row;
  };

  /** The results the caller may see now, or undefined. */
  const visibleResults = async (poll: PollRow, ctx: HandlerContext): Promise<PollResults | undefined> => {
    const caller = principalOf(ctx)?.accountId;
    const voted = caller && poll.resultVisibility === "after_vote" && poll.state === "open" ? (await ballotOf(db.em(), poll.id, caller)) !== undefined : false;
    if (!resultsVisible(poll, voted)) return undefined;
    if (poll.state === "closed") return loadResults(db.em(), poll.id);
    return deps.live.get(poll);
  };

  const snapshotOf = async (poll: PollRow, ctx: HandlerContext): Promise<WatchPollResponse> => {
    const em = db.em();
    const [count] = await query<{ n: string | number }>(em, `select count(*) as n from ${tableOf(em, BallotEntity)} where poll_id = ?`, [poll.id]);
    return create(WatchPollResponseSchema, {
      state: stateEnums[poll.state],
      eligible: poll.eligibleCount,
      ballots: Number(count.n),
      results: await visibleResults(poll, ctx),
    });
  };

  return {
    async getResults(req, ctx) {
      const poll = await load(req.communityId, req.pollId, ctx);
      if (poll.state === "draft" || poll.state === "scheduled") throw failedPrecondition("POLL_NOT_OPEN", `poll ${poll.id} is ${poll.state}; it has no results yet`);
      const results = await visibleResults(poll, ctx);
      if (!results) {
        throw failedPrecondition("RESULTS_NOT_VISIBLE", poll.resultVisibility === "after_vote"
          ? `results of poll ${poll.id} are shown to voters once they have voted, and to everyone after close`
          : `results of poll ${poll.id} are published when it closes`);
      }
      return { results };
    },

    async *watchPoll(req, ctx) {
      let dirty = true;
      let wake: (() => void) | undefined;
      const channel = pollChannel(req.pollId);
      const unsubscribe = deps.notifier.subscribe(channel, () => {
        deps.live.invalidate(req.pollId);
        dirty = true;
        wake?.();
      });
      const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
      try {
        // Subscribe before the first read, so no change between them is missed.
        await deps.notifier.ready(channel);
        let last: WatchPollResponse | undefined;
        let sentAt = 0;
        while (!ctx.signal.aborted) {
          if (!dirty) {
            await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
            wake = undefined;
            continue;
          }
          const wait = sentAt + WATCH_COALESCE_MS - Date.now();
          if (wait > 0) await Promise.race([new Promise((resolve) => setTimeout(resolve, wait)), aborted]);
          if (ctx.signal.aborted) break;
          dirty = false;
          const poll = await load(req.communityId, req.pollId, ctx);
          const message = await snapshotOf(poll, ctx);
          if (!last || !equals(WatchPollResponseSchema, last, message)) {
            yield message;
            last = message;
            sentAt = Date.now();
          }
          // A closed poll never changes again: the final result ends the stream.
          if (poll.state === "closed") return;
        }
      } finally {
        unsubscribe();
      }
    },
  };
}
