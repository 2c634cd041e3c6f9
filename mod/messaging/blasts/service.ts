// BlastService. Permissions and input rules come from the proto; here: what only the data can tell.
import { equals } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { BlastState as ProtoState, WatchBlastResponseSchema, type BlastService, type WatchBlastResponse } from "../../../clients/src/gen/polity/mod/messaging/v1/blasts_pb.js";
import { requirePrincipal } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { failedPrecondition } from "../../../sys/core/errors.js";
import { publishInTransaction } from "../../../sys/core/notifier.js";
import { decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import type { MessagingDeps } from "../deps.js";
import { MESSAGES_CHANNEL } from "../messages/store.js";
import { BLAST_CHANNEL, blastRow, blastToProto, type BlastRow } from "./blast-rows.js";
import { blastProgress, cancelPendingChunk } from "./blast-messages.js";
import { BLASTS_WAKE_CHANNEL, createBlast } from "./create-blast.js";
import { BlastEntity, type BlastState } from "./entities.js";

const WATCH_COALESCE_MS = 1000;
// A watcher re-reads at least this often: message transitions are published per org, not per blast.
const WATCH_POLL_MS = 5000;
// CancelBlast cancels pending messages for this long; the worker's sweep finishes a bigger blast.
const CANCEL_BUDGET_MS = 2000;

export function createBlastService(deps: MessagingDeps): ServiceImpl<typeof BlastService> {
  const withProgress = async (row: BlastRow) => blastToProto(row, await blastProgress(deps.db.em(), row));

  /** Moves a blast from `from` to `to` under its row lock; refuses other states with `reason`. */
  const move = async (orgId: string, blastId: string, from: BlastState[], to: BlastState, reason: string) =>
    deps.db.em().transactional(async (txem) => {
      const tx = txem as EntityManager;
      const row = await blastRow(tx, orgId, blastId, { lock: true });
      if (row.state === to) return row;
      if (!from.includes(row.state)) throw failedPrecondition(reason, `blast ${blastId} is ${row.state}`);
      row.state = to;
      row.updatedAt = new Date();
      await tx.flush();
      await publishInTransaction(tx, BLAST_CHANNEL(blastId), to);
      if (to === "RUNNING") await publishInTransaction(tx, BLASTS_WAKE_CHANNEL, blastId);
      return row;
    });

  return {
    async createBlast(req, ctx) {
      const row = await createBlast(deps, req, requirePrincipal(ctx).accountId);
      deps.logger.info({ org: req.orgId, blast: row.id, template: row.templateId }, "messaging blast created");
      return { blast: await withProgress(row) };
    },

    async getBlast(req) {
      return { blast: await withProgress(await blastRow(deps.db.em(), req.orgId, req.blastId)) };
    },

    async listBlasts(req) {
      const size = pageSizeOf(req.pageSize, 100);
      const after = decodeCursor(req.pageToken);
      const before = after ? { $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }] } : {};
      const rows = (await deps.db.em().find(BlastEntity, { orgId: req.orgId, ...before }, { orderBy: { createdAt: "desc", id: "desc" }, limit: size + 1 })) as BlastRow[];
      const page = pageOf(rows, size);
      return { blasts: await Promise.all(page.items.map(withProgress)), nextPageToken: page.nextPageToken };
    },

    async *watchBlast(req, ctx) {
      let dirty = true;
      let wake: (() => void) | undefined;
      const poke = () => {
        dirty = true;
        wake?.();
      };
      const channels = [BLAST_CHANNEL(req.blastId), MESSAGES_CHANNEL(req.orgId)];
      const unsubscribes = channels.map((channel) => deps.notifier.subscribe(channel, poke));
      const poll = setInterval(poke, WATCH_POLL_MS);
      const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
      try {
        // Subscribed before the first read, so no change between them is missed.
        await Promise.all(channels.map((channel) => deps.notifier.ready(channel)));
        let last: WatchBlastResponse | undefined;
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
          const blast = await withProgress(await blastRow(deps.db.em(), req.orgId, req.blastId));
          const message = { $typeName: WatchBlastResponseSchema.typeName, blast } as WatchBlastResponse;
          if (!last || !equals(WatchBlastResponseSchema, last, message)) {
            yield message;
            last = message;
            sentAt = Date.now();
          }
          const settled = blast.progress!.queued === 0n && !blast.expanding;
          if (blast.state === ProtoState.DONE || (blast.state === ProtoState.CANCELLED && settled)) return;
        }
      } finally {
        clearInterval(poll);
        for (const unsubscribe of unsubscribes) unsubscribe();
      }
    },

    async pauseBlast(req) {
      return { blast: await withProgress(await move(req.orgId, req.blastId, ["RUNNING"], "PAUSED", "BLAST_NOT_RUNNING")) };
    },

    async resumeBlast(req) {
      return { blast: await withProgress(await move(req.orgId, req.blastId, ["PAUSED"], "RUNNING", "BLAST_NOT_PAUSED")) };
    },

    async cancelBlast(req) {
      const row = await move(req.orgId, req.blastId, ["RUNNING", "PAUSED"], "CANCELLED", "BLAST_DONE");
      // Pending messages become CANCELLED now for a blast of ordinary size; the worker's sweep (and the sender's
      // gate) take care of the rest.
      const until = Date.now() + CANCEL_BUDGET_MS;
      while (Date.now() < until && (await cancelPendingChunk(deps, row.id)) > 0);
      return { blast: await withProgress(row) };
    },
  };
}
