// Poll lifecycle RPCs: create, read, list, edit while not yet open, delete, open, close.
import type { ServiceImpl } from "@connectrpc/connect";
import type { VotingService } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { requirePrincipal } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { aborted, failedPrecondition, notFound } from "../../../sys/core/errors.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { appendActivity } from "../activity/append.js";
import { etagOf, pollMessage, stateNames } from "./codec.js";
import { bearerOf } from "../../../sys/core/authn/principal.js";
import { type VotingDeps } from "../deps.js";
import { PollEntity, type PollRow } from "../entities.js";
import { closeLocked, ensureSnapshot, loadPoll, notifyPollChanged, openLocked, touch } from "./store.js";
import { createPollReader } from "./reader.js";
import { applyMask, checkSettings, settingsOf } from "./rules.js";

type PollHandlers = Pick<ServiceImpl<typeof VotingService>,
  "createPoll" | "getPoll" | "listPolls" | "updatePoll" | "deletePoll" | "openPoll" | "closePoll">;

const editable = (row: PollRow) => row.state === "draft" || row.state === "scheduled";

export function createPollHandlers(deps: VotingDeps): PollHandlers {
  const { db, directory } = deps;
  const readPoll = createPollReader(db);

  /** An open poll whose eligibility was deferred (scheduled open, two binaries) is snapshot with this caller's bearer. */
  const withSnapshot = async (row: PollRow, bearer: string | undefined): Promise<PollRow> => {
    if (row.state !== "open" || row.snapshotAt || !bearer) return row;
    await ensureSnapshot(db.em(), row.communityId, row.id, directory, bearer).catch((error) => deps.logger.warn({ err: error, poll: row.id }, "deferred eligibility snapshot failed"));
    return loadPoll(db.em(), row.communityId, row.id);
  };

  return {
    async createPoll(req, ctx) {
      const actor = requirePrincipal(ctx).accountId;
      const now = new Date();
      const poll = req.poll!;
      const settings = settingsOf(poll);
      checkSettings(settings, deps.time, now, { requireFutureOpen: true });
      const community = await directory.getCommunity(poll.communityId, bearerOf(ctx));
      if (!community) throw notFound("community", poll.communityId);
      if (community.archived) throw failedPrecondition("COMMUNITY_ARCHIVED", `community ${poll.communityId} is archived`);
      const row = await db.em().transactional(async (tx) => {
        const created = tx.create(PollEntity, {
          id: crypto.randomUUID(),
          communityId: poll.communityId,
          ...settings,
          // With opens_at the scheduler opens it; otherwise OpenPoll does.
          state: settings.opensAt ? "scheduled" : "draft",
          openedAt: null,
          closedAt: null,
          snapshotAt: null,
          eligibleCount: 0,
          createdBy: actor,
          createdAt: now,
          updatedAt: now,
          version: 1,
        });
        await tx.flush();
        await appendActivity(tx as EntityManager, { communityId: created.communityId, kind: "poll_created", actorId: actor, pollId: created.id, payload: { title: created.title, method: created.method, state: created.state } });
        return created;
      });
      return { poll: pollMessage(row) };
    },

    async getPoll(req, ctx) {
      const found = await readPoll(req.pollId);
      // Scoped by community, as loadPoll: an id from another community is NOT_FOUND.
      if (!found || found.communityId !== req.communityId.toLowerCase()) throw notFound("poll", req.pollId);
      // The request's headers are materialized only when a deferred snapshot needs the bearer: not on every read.
      const row = found.state === "open" && !found.snapshotAt ? await withSnapshot(found, bearerOf(ctx)) : found;
      return { poll: pollMessage(row) };
    },

    async listPolls(req) {
      const size = pageSizeOf(req.pageSize);
      const where: Record<string, unknown> = { communityId: req.communityId, ...afterCursor(decodeCursor(req.pageToken)) };
      if (req.states.length) where.state = { $in: req.states.map((s) => stateNames[s]) };
      if (req.topic) where.topics = { $contains: [req.topic] };
      const rows = await db.em().find(PollEntity, where, { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 });
      const page = pageOf(rows, size);
      return { polls: page.items.map(pollMessage), nextPageToken: page.nextPageToken };
    },

    async updatePoll(req, ctx) {
      const actor = requirePrincipal(ctx).accountId;
      const incoming = req.poll!;
      const paths = req.updateMask!.paths;
      const row = await db.em().transactional(async (tx) => {
        const row = await loadPoll(tx as EntityManager, incoming.communityId, incoming.id, true);
        const etag = req.etag || incoming.etag;
        if (etag && etag !== etagOf(row)) throw aborted("ETAG_MISMATCH", `poll ${row.id} changed since etag ${etag} (now ${etagOf(row)})`);
        if (!editable(row)) throw failedPrecondition("POLL_NOT_EDITABLE", `poll ${row.id} is ${row.state}; only a draft or scheduled poll can change`);
        const now = new Date();
        const next = applyMask(row, settingsOf(incoming), paths);
        checkSettings(next, deps.time, now, { requireFutureOpen: paths.some((p) => p === "opens_at" || p === "opensAt") });
        Object.assign(row, next, { state: next.opensAt ? "scheduled" : "draft" });
        touch(row, now);
        await tx.flush();
        await appendActivity(tx as EntityManager, { communityId: row.communityId, kind: "poll_updated", actorId: actor, pollId: row.id, payload: { fields: [...paths].sort() } });
        await notifyPollChanged(tx as EntityManager, row.id, "updated");
        return row;
      });
      return { poll: pollMessage(row) };
    },

    async deletePoll(req, ctx) {
      const actor = requirePrincipal(ctx).accountId;
      await db.em().transactional(async (tx) => {
        const row = await loadPoll(tx as EntityManager, req.communityId, req.pollId, true);
        if (!editable(row)) throw failedPrecondition("POLL_NOT_EDITABLE", `poll ${row.id} is ${row.state}; only a draft or scheduled poll can be deleted`);
        tx.remove(row);
        await tx.flush();
        await appendActivity(tx as EntityManager, { communityId: row.communityId, kind: "poll_deleted", actorId: actor, pollId: row.id, payload: { title: row.title } });
        await notifyPollChanged(tx as EntityManager, row.id, "deleted");
      });
      return {};
    },

    async openPoll(req, ctx) {
      const actor = requirePrincipal(ctx).accountId;
      const row = await db.em().transactional(async (tx) => {
        const row = await loadPoll(tx as EntityManager, req.communityId, req.pollId, true);
        await openLocked(tx as EntityManager, row, actor, new Date(), { directory, bearer: bearerOf(ctx), required: true });
        return row;
      });
      deps.live.invalidate(row.id);
      return { poll: pollMessage(row) };
    },

    async closePoll(req, ctx) {
      const actor = requirePrincipal(ctx).accountId;
      await withSnapshot(await loadPoll(db.em(), req.communityId, req.pollId), bearerOf(ctx));
      const { row, results } = await db.em().transactional(async (tx) => {
        const row = await loadPoll(tx as EntityManager, req.communityId, req.pollId, true);
        const results = await closeLocked(tx as EntityManager, row, actor, new Date(), { directory, bearer: bearerOf(ctx), required: true });
        return { row, results };
      });
      deps.live.invalidate(row.id);
      return { poll: pollMessage(row), results };
    },
  };
}
