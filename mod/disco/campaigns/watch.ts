// WatchCampaign: the current progress first, then a new one whenever it changes on any replica. A change
// notification (published at commit by the pledging or updating transaction) only marks the stream dirty; a
// burst of pledges becomes one re-read per COALESCE_MS, and an unchanged snapshot is not sent again. As
// notifications are hints that a lost connection may drop, the progress is also re-read every POLL_MS.
import { equals } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { type CampaignService, type CampaignProgress, CampaignProgressSchema } from "../../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import type { Notifier } from "../../../sys/core/notifier.js";
import type { DiscoDeps } from "../deps.js";
import { progressToProto } from "./codec.js";
import { CAMPAIGNS_CHANNEL } from "./crossings.js";
import { measureThresholds } from "./progress.js";
import { loadCampaign, loadVisible } from "./store.js";

export const COALESCE_MS = 100;
const POLL_MS = 10_000;

interface SnapshotStream<T> {
  notifier: Notifier;
  channel: string;
  /** Whether a payload concerns this stream ("" always does: events may have been missed). */
  concerns(payload: string): boolean;
  signal: AbortSignal;
  /** The current snapshot, and whether it is the last one; undefined when the subject is gone. */
  read(): Promise<{ snapshot: T; final: boolean } | undefined>;
  same(a: T, b: T): boolean;
}

/** Snapshots of one subject until it is final or gone, or the caller leaves. Subscribed before the first read. */
async function* watchSnapshots<T>(options: SnapshotStream<T>): AsyncGenerator<T> {
  const { notifier, channel, signal } = options;
  let dirty = true;
  let wake: (() => void) | undefined;
  const unsubscribe = notifier.subscribe(channel, (payload) => {
    if (!options.concerns(payload)) return;
    dirty = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  }).finally(() => (wake = undefined));
  try {
    await notifier.ready(channel);
    let last: T | undefined;
    let sentAt = 0;
    while (!signal.aborted) {
      if (!dirty) {
        await pause(POLL_MS);
        // Woken by a notification, the deadline, or the poll: a poll re-reads too.
        dirty = true;
        continue;
      }
      const wait = sentAt + COALESCE_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (signal.aborted) break;
      dirty = false;
      const now = await options.read();
      if (!now) return;
      if (!last || !options.same(last, now.snapshot)) {
        yield now.snapshot;
        last = now.snapshot;
        sentAt = Date.now();
      }
      if (now.final) return;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    unsubscribe();
  }
}

export function createWatchCampaign(deps: DiscoDeps): ServiceImpl<typeof CampaignService>["watchCampaign"] {
  return async function* watchCampaign(req, ctx: HandlerContext) {
    // Visibility is decided once: a campaign never goes back to being a draft.
    const visible = await loadVisible(deps, ctx, req.campaignId, req.projectId);
    const read = async (): Promise<{ snapshot: CampaignProgress; final: boolean } | undefined> => {
      const em = deps.db.em().fork() as EntityManager;
      const row = await loadCampaign(em, visible.id, "").catch(() => undefined);
      if (!row) return undefined;
      return { snapshot: progressToProto(row, await measureThresholds(em, [row.id])), final: row.status === "closed" };
    };
    const snapshots = watchSnapshots({
      notifier: deps.notifier,
      channel: CAMPAIGNS_CHANNEL,
      concerns: (payload) => payload === "" || payload === visible.id,
      signal: ctx.signal,
      read,
      same: (a, b) => equals(CampaignProgressSchema, a, b),
    });
    for await (const progress of snapshots) yield { progress };
  };
}
