// What a blast reads and does on its messages (the messages area's table): progress counts grouped by state and
// provider (an index on (blast_id, state) keeps it cheap at 100k), cancelling pending messages in chunks, and
// marking a fully sent blast DONE. The message state column holds the MessageState number.
import { create } from "@bufbuild/protobuf";
import { BlastProgressSchema, ProviderProgressSchema, type BlastProgress } from "../../../clients/src/gen/polity/mod/messaging/v1/blasts_pb.js";
import { MessageState } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { MessagingDeps } from "../deps.js";
import { MessageEntity } from "../messages/entities.js";
import { transition } from "../messages/store.js";
import type { BlastRow } from "./blast-rows.js";
import { BlastEntity } from "./entities.js";

// The messages area's table is read here, never written but through transition().
const MESSAGES = MessageEntity;

type Bucket = "queued" | "sent" | "delivered" | "failed" | "cancelled";

function bucketOf(state: number): Bucket | undefined {
  switch (state) {
    case MessageState.PENDING:
    case MessageState.SENDING:
      return "queued";
    case MessageState.SENT:
      return "sent";
    case MessageState.DELIVERED_SERVICE:
    case MessageState.DELIVERED_USER:
    case MessageState.READ:
    case MessageState.REPLIED:
      return "delivered";
    case MessageState.FAILED:
      return "failed";
    case MessageState.CANCELLED:
      return "cancelled";
    default:
      return undefined;
  }
}

export async function blastProgress(em: EntityManager, blast: Pick<BlastRow, "id" | "recipientsTotal" | "skipped">): Promise<BlastProgress> {
  const rows = await query<{ state: number | string; provider_id: string | null; n: number | string }>(
    em,
    `select "state", "provider_id", count(*) as n from ${tableOf(em, MESSAGES)} where "blast_id" = ? group by "state", "provider_id"`,
    [blast.id],
  );
  const progress = create(BlastProgressSchema, { recipientsTotal: BigInt(blast.recipientsTotal), skipped: BigInt(blast.skipped) });
  const perProvider = new Map<string, ReturnType<typeof create<typeof ProviderProgressSchema>>>();
  for (const row of rows) {
    const bucket = bucketOf(Number(row.state));
    if (!bucket) continue;
    const n = BigInt(row.n);
    progress[bucket] += n;
    if (!row.provider_id || bucket === "cancelled") continue;
    let provider = perProvider.get(row.provider_id);
    if (!provider) perProvider.set(row.provider_id, (provider = create(ProviderProgressSchema, { providerId: row.provider_id })));
    provider[bucket] += n;
  }
  progress.providers = [...perProvider.values()].sort((a, b) => a.providerId.localeCompare(b.providerId));
  return progress;
}

/** Cancels up to `limit` of a cancelled blast's pending messages; returns how many it cancelled. */
export async function cancelPendingChunk(deps: MessagingDeps, blastId: string, limit = 500): Promise<number> {
  return deps.db.em().transactional(async (txem) => {
    const tx = txem as EntityManager;
    const rows = await query<{ id: string }>(
      tx,
      `select "id" from ${tableOf(tx, MESSAGES)} where "blast_id" = ? and "state" = ? limit ${limit} for update skip locked`,
      [blastId, MessageState.PENDING],
    );
    let cancelled = 0;
    for (const row of rows) if (await transition(deps, tx, row.id, MessageState.CANCELLED, { reason: "blast cancelled" })) cancelled++;
    return cancelled;
  });
}

/** A cancelled blast that still has pending messages (left by a crash or a busy handler), if any. */
export async function cancelledWithPending(em: EntityManager): Promise<string | undefined> {
  const rows = await query<{ id: string }>(
    em,
    `select b."id" from ${tableOf(em, BlastEntity)} b where b."state" = 'CANCELLED'
       and exists (select 1 from ${tableOf(em, MESSAGES)} m where m."blast_id" = b."id" and m."state" = ?) limit 1`,
    [MessageState.PENDING],
  );
  return rows[0]?.id;
}

/** Marks DONE the running blasts that are expanded and have nothing pending or sending; returns their ids. */
export async function markDone(em: EntityManager): Promise<string[]> {
  const rows = await query<{ id: string }>(
    em,
    `update ${tableOf(em, BlastEntity)} b set "state" = 'DONE', "updated_at" = ? where b."state" = 'RUNNING' and b."expanded"
       and not exists (select 1 from ${tableOf(em, MESSAGES)} m where m."blast_id" = b."id" and m."state" in (?, ?)) returning b."id"`,
    [new Date(), MessageState.PENDING, MessageState.SENDING],
  );
  return rows.map((r) => r.id);
}
