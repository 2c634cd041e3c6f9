// An incoming webhook, whatever carried it: find the instance(s) it is for, verify the platform's signature over
// the raw bytes (nothing is parsed or stored before that), store it in the durable inbox keyed by the
// platform's delivery id, and answer at once. The inbox worker processes it after, once per delivery id.
import { createHash } from "node:crypto";
import { isUuid, query, tableOf } from "../../../sys/core/sql.js";
import { publishInTransaction } from "../../../sys/core/notifier.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { type GovernanceDeps, WORK_CHANNEL } from "../deps.js";
import { InboxEntity, PluginInstanceEntity } from "../entities.js";
import { fullConfig, type InstanceRow } from "../instances/store.js";
import type { Json, WebhookRequest } from "../sdk/define-plugin.js";

export interface HookTarget {
  plugin: string;
  /** Absent on the platform-wide path /api/hooks/{plugin}: the plugin names the platform id instead. */
  communityId?: string;
  instanceId?: string;
}

export interface HookAnswer {
  status: number;
  /** Ours ({status, deliveries} or {error}), or a plugin's handshake answer. */
  body: Json;
}

const refuse = (status: number, error: string): HookAnswer => ({ status, body: { error } });
const HANDSHAKE_CANDIDATES = 20;

async function targets(deps: GovernanceDeps, target: HookTarget, request: WebhookRequest): Promise<InstanceRow[] | HookAnswer> {
  const em = deps.db.em();
  const plugin = deps.registry.list().find((p) => p.name === target.plugin);
  if (!plugin?.webhook) return refuse(404, `no plugin named ${target.plugin} receives webhooks here`);
  if (target.communityId === undefined) {
    const platformId = plugin.webhook.platformId?.(request);
    // A handshake (Slack's URL check, Discord's PING) names no platform: any instance whose secret verifies it
    // may answer. Capped, so an unsigned request cannot make the server try every instance's key.
    if (!platformId && plugin.webhook.handshake?.(request)) {
      return (await em.find(PluginInstanceEntity, { plugin: target.plugin, enabled: true }, { limit: HANDSHAKE_CANDIDATES, orderBy: { createdAt: "asc" } })) as InstanceRow[];
    }
    if (!platformId) return refuse(400, `${target.plugin} deliveries to /api/hooks/${target.plugin} must name their platform; use /api/hooks/{community}/${target.plugin}`);
    return (await em.find(PluginInstanceEntity, { plugin: target.plugin, platformId, enabled: true })) as InstanceRow[];
  }
  if (!isUuid(target.communityId) || (target.instanceId !== undefined && !isUuid(target.instanceId))) return refuse(404, "no such hook");
  const where = { communityId: target.communityId, plugin: target.plugin, enabled: true, ...(target.instanceId ? { id: target.instanceId } : {}) };
  return (await em.find(PluginInstanceEntity, where)) as InstanceRow[];
}

export async function receiveWebhook(deps: GovernanceDeps, target: HookTarget, request: WebhookRequest): Promise<HookAnswer> {
  const found = await targets(deps, target, request);
  if (!Array.isArray(found)) return found;
  if (found.length === 0) return refuse(404, "no enabled plugin instance for this hook");
  // Several instances of one plugin in a community: the path must say which, or each would verify the same bytes.
  if (target.communityId !== undefined && !target.instanceId && found.length > 1) return refuse(404, `${target.plugin} is enabled several times here; post to /api/hooks/{community}/${target.plugin}/{instance}`);
  const webhook = deps.registry.plugin(target.plugin).webhook!;
  const verified: InstanceRow[] = [];
  for (const instance of found) {
    let ok = false;
    try {
      ok = await webhook.verify(request, fullConfig(deps, instance));
    } catch (error) {
      deps.logger.warn({ err: error, plugin: target.plugin }, "webhook verification threw; treated as a bad signature");
    }
    if (ok) verified.push(instance);
  }
  if (verified.length === 0) return refuse(401, "signature missing or invalid");
  const handshake = webhook.handshake?.(request);
  if (handshake) return { status: handshake.status, body: handshake.body };
  const deliveryId = (webhook.deliveryId?.(request) || createHash("sha256").update(request.rawBody).digest("hex")).slice(0, 200);
  const now = new Date();
  await deps.db.em().transactional(async (txem) => {
    const tx = txem as EntityManager;
    await query(tx,
      `insert into ${tableOf(tx, InboxEntity)} (id, instance_id, delivery_id, headers, query, body, status, attempts, last_error, next_attempt_at, received_at)
       values ${verified.map(() => "(?, ?, ?, ?, ?, ?, 'pending', 0, '', ?, ?)").join(", ")} on conflict (instance_id, delivery_id) do nothing`,
      verified.flatMap((instance) => [crypto.randomUUID(), instance.id, deliveryId, JSON.stringify(keptHeaders(request.headers)), JSON.stringify(request.query), request.rawBody, now, now]));
    await publishInTransaction(tx, WORK_CHANNEL, "inbox");
  });
  deps.wake();
  const acknowledgement = webhook.acknowledge?.(request);
  if (acknowledgement) return { status: acknowledgement.status, body: acknowledgement.body };
  return { status: 200, body: { status: "accepted", deliveries: verified.length } };
}

// Credentials never reach the inbox table: what a plugin's handler reads is the platform's own headers.
function keptHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && name !== "authorization" && name !== "cookie") kept[name] = value;
  return kept;
}
