// Appends plugin events to the community's stream in the caller's transaction: numbered under the head row's
// lock (so a cursor never skips an event that commits late), queued for every matching subscription, and
// announced to watchers after commit.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Event, EventSchema } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { publishInTransaction } from "../../../sys/core/notifier.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { eventsChannel } from "../deps.js";
import { enqueueDeliveries } from "../deliveries/queue.js";
import { EventEntity, EventHeadEntity, SubscriptionEntity } from "../entities.js";
import type { InstanceRow } from "../instances/store.js";
import type { JsonObject, PluginEvent } from "../sdk/define-plugin.js";

/** Every community's appends, announced with the community id (modules that consume events listen here). */
export const ALL_EVENTS_CHANNEL = "governance:events";

export interface EventRow {
  community_id: string;
  sequence: string | number;
  id: string;
  instance_id: string | null;
  type: string;
  source: string;
  time: Date | string;
  data: JsonObject;
  initiator: JsonObject;
}

export async function appendEvents(tx: EntityManager, instance: InstanceRow, events: PluginEvent[], time = new Date()): Promise<EventRow[]> {
  return appendStreamEvents(tx, { communityId: instance.communityId, instanceId: instance.id, producer: instance.plugin, source: `polity/${instance.communityId}/${instance.plugin}/${instance.id}` }, events, time);
}

/** Who appends: a plugin instance, or another mod module (no instance; its events are "<module>.<type>"). */
export interface EventProducer {
  communityId: string;
  instanceId: string | null;
  producer: string;
  source: string;
}

export async function appendStreamEvents(tx: EntityManager, from: EventProducer, events: PluginEvent[], time = new Date()): Promise<EventRow[]> {
  if (events.length === 0) return [];
  const communityId = from.communityId;
  const heads = tableOf(tx, EventHeadEntity);
  await query(tx, `insert into ${heads} (community_id, sequence) values (?, 0) on conflict do nothing`, [communityId]);
  const [head] = await query<{ sequence: string | number }>(tx, `select sequence from ${heads} where community_id = ? for update`, [communityId]);
  let sequence = Number(head.sequence);
  const rows: EventRow[] = events.map((event) => ({
    community_id: communityId,
    sequence: ++sequence,
    id: crypto.randomUUID(),
    instance_id: from.instanceId,
    type: `${from.producer}.${event.type}`,
    source: from.source,
    time,
    data: event.data,
    initiator: event.initiator ?? {},
  }));
  await query(tx,
    `insert into ${tableOf(tx, EventEntity)} (community_id, sequence, id, instance_id, type, source, time, data, initiator)
     values ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
    rows.flatMap((r) => [r.community_id, r.sequence, r.id, r.instance_id, r.type, r.source, r.time, JSON.stringify(r.data), JSON.stringify(r.initiator)]));
  await query(tx, `update ${heads} set sequence = ? where community_id = ?`, [sequence, communityId]);
  const subscriptions = await query<{ id: string; url: string; event_types: string[] }>(tx, `select id, url, event_types from ${tableOf(tx, SubscriptionEntity)} where community_id = ?`, [communityId]);
  await enqueueDeliveries(tx, rows.flatMap((row) =>
    subscriptions
      .filter((s) => s.event_types.length === 0 || s.event_types.includes(row.type))
      .map((s) => ({ communityId, kind: "event" as const, url: s.url, subscriptionId: s.id, eventId: row.id, body: envelope(row) }))), time);
  await publishInTransaction(tx, eventsChannel(communityId), String(sequence));
  await publishInTransaction(tx, ALL_EVENTS_CHANNEL, communityId);
  return rows;
}

/** The CloudEvents-compatible JSON a subscription receives. */
export function envelope(row: EventRow): JsonObject {
  return {
    specversion: "1.0",
    id: row.id,
    source: row.source,
    type: row.type,
    time: new Date(row.time).toISOString(),
    datacontenttype: "application/json",
    community: row.community_id,
    initiator: row.initiator,
    data: row.data,
    sequence: String(row.sequence),
  };
}

export function eventToProto(row: EventRow): Event {
  return create(EventSchema, {
    id: row.id,
    source: row.source,
    type: row.type,
    time: timestampFromDate(new Date(row.time)),
    communityId: row.community_id,
    data: row.data,
    initiator: row.initiator,
    cursor: String(row.sequence),
  });
}
