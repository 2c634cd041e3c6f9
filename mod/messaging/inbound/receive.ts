// POST /api/messaging/hooks/{provider_id}: a provider's replies and delivery receipts. The raw body (read within
// the host's size and time limits) is verified with the provider kind's own check, against the URL we gave the
// provider, before anything parses it; then every event is recorded in the inbox, keyed by (provider, event),
// in the same transaction as its effects, and only then answered 2xx. So a redelivery is a no-op, a crash before
// the commit leaves the provider to deliver again, and a STOP is in force before the provider hears "ok".
import { createHash } from "node:crypto";
import type { RouteRequest, RouteResponse } from "../../../sys/core/http/route.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { isUuid, query, tableOf } from "../../../sys/core/sql.js";
import type { MessagingDeps } from "../deps.js";
import { providerWebhookUrl, resolve, type ResolvedProvider } from "../providers/chain.js";
import { ProviderEntity } from "../providers/entities.js";
import type { ProviderRow } from "../providers/rows.js";
import type { InboundEvent, InboundRequest } from "../services/sdk/define-provider.js";
import { applyInboundEvent } from "./effects.js";
import { InboundEventEntity } from "./entities.js";

const refuse = (status: number, error: string): RouteResponse => ({ status, body: { error } });

export async function receiveInbound(deps: MessagingDeps, request: RouteRequest): Promise<RouteResponse> {
  const rawBody = await request.readBody();
  const provider = await inboundProvider(deps, request.params.provider ?? "");
  if (!provider?.definition.inbound) return refuse(404, "no enabled provider receives messages at this address");
  const inbound = provider.definition.inbound;
  const req: InboundRequest = { rawBody, headers: request.headers, url: calledUrl(deps, provider.id, request.query) };

  let verified = false;
  try {
    verified = inbound.verify(req, provider.config);
  } catch (error) {
    deps.logger.warn({ err: error, provider: provider.id }, "inbound verification threw; treated as a bad signature");
  }
  if (!verified) return refuse(401, "signature missing or invalid");

  let events: InboundEvent[];
  try {
    events = inbound.parse(req, provider.config);
  } catch (error) {
    deps.logger.warn({ err: error, provider: provider.id }, "a verified inbound request could not be parsed");
    return refuse(400, "not a delivery this provider kind understands");
  }

  let recorded: number;
  try {
    recorded = await deps.db.em().transactional(async (txem) => recordEvents(deps, txem as EntityManager, provider, events, rawBody));
  } catch (error) {
    // Nothing was kept: the provider's own retry delivers it again.
    deps.logger.error({ err: error, provider: provider.id }, "inbound events could not be recorded");
    return { status: 503, headers: { "retry-after": "30" }, body: { error: "not recorded; deliver again later" } };
  }
  const reply = inbound.reply?.(events, req);
  if (reply) return { status: reply.status, headers: reply.headers, body: reply.body === undefined ? undefined : Buffer.from(reply.body) };
  return { status: 200, body: { status: "accepted", events: events.length, new: recorded } };
}

/** Records each event not seen before and applies it; returns how many were new. */
async function recordEvents(deps: MessagingDeps, tx: EntityManager, provider: ResolvedProvider, events: InboundEvent[], rawBody: Buffer): Promise<number> {
  const table = tableOf(tx, InboundEventEntity);
  let fresh = 0;
  for (const event of events) {
    // A concurrent delivery of the same event waits here on the unique key, then finds it taken.
    const [row] = await query<{ id: string }>(tx,
      `insert into ${table} (id, org_id, provider_id, event_key, event, body, outcome, message_id, received_at)
       values (?, ?, ?, ?, ?, ?, 'pending', null, ?) on conflict (provider_id, event_key) do nothing returning id`,
      [crypto.randomUUID(), provider.orgId, provider.id, eventKey(event), JSON.stringify(event), rawBody, new Date()]);
    if (!row) continue;
    fresh++;
    const effect = await applyInboundEvent(deps, tx, provider, event);
    await query(tx, `update ${table} set outcome = ?, message_id = ? where id = ?`, [effect.outcome, effect.messageId ?? null, row.id]);
  }
  return fresh;
}

/** What makes two deliveries the same event. Ids longer than the column are hashed, never cut (two could share a prefix). */
export function eventKey(event: InboundEvent): string {
  const key = event.kind === "message" ? `message:${event.providerMessageId}` : `status:${event.providerMessageId}:${event.state}`;
  return key.length <= 300 ? key : `sha256:${createHash("sha256").update(key).digest("hex")}`;
}

async function inboundProvider(deps: MessagingDeps, providerId: string): Promise<ResolvedProvider | undefined> {
  if (!isUuid(providerId)) return undefined;
  const row = (await deps.db.em().findOne(ProviderEntity, { id: providerId, enabled: true })) as ProviderRow | null;
  return row ? resolve(deps, row) : undefined;
}

/**
 * The URL the provider called, as it signed it: the webhook URL we gave it (built on the configured public URL,
 * so proxies in front of the server do not change it) plus the query string it added.
 */
function calledUrl(deps: MessagingDeps, providerId: string, queryParams: Record<string, string>): string {
  const search = new URLSearchParams(queryParams).toString();
  return `${providerWebhookUrl(deps, providerId)}${search ? `?${search}` : ""}`;
}
