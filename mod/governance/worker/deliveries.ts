// Sending one due delivery: signed with the subscription's secret (events) or the community's callback secret
// (callbacks, made on first need and learnt by an admin through RotateCallbackSecret), retried with backoff, and
// recorded. A replica killed mid-send leaves the row leased; it comes due again after the lease and is resent —
// receivers de-duplicate by the Polity-Delivery header.
import { randomBytes } from "node:crypto";
import { deliverOnce } from "../../../sys/core/outbound/deliver.js";
import { delayBeforeNextAttempt } from "../../../sys/core/outbound/retry-schedule.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { GovernanceDeps } from "../deps.js";
import { CallbackSecretEntity, DeliveryEntity, SubscriptionEntity } from "../entities.js";
import { claimDue } from "./claim.js";

interface RawDelivery {
  id: string;
  community_id: string;
  kind: string;
  url: string;
  subscription_id: string | null;
  event_id: string | null;
  body: string;
  attempts: number;
}

const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

async function signingSecrets(deps: GovernanceDeps, delivery: RawDelivery): Promise<string[] | undefined> {
  const em = deps.db.em();
  if (delivery.kind === "event") {
    const subscription = await em.findOne(SubscriptionEntity, { id: delivery.subscription_id! });
    return subscription ? [deps.secrets.open(subscription.secret, subscription.id)] : undefined;
  }
  const table = tableOf(em, CallbackSecretEntity);
  const fresh = deps.secrets.seal(`whsec_${randomBytes(32).toString("base64url")}`, delivery.community_id);
  await query(em, `insert into ${table} (community_id, secret, previous_secret, rotated_at) values (?, ?, null, ?) on conflict do nothing`, [delivery.community_id, fresh, new Date()]);
  const row = (await em.findOne(CallbackSecretEntity, { communityId: delivery.community_id }, { refresh: true }))!;
  const secrets = [deps.secrets.open(row.secret, row.communityId)];
  // Right after a rotation both signatures go out, so a driver still holding the old secret keeps verifying.
  if (row.previousSecret && Date.now() - row.rotatedAt.getTime() < ROTATION_OVERLAP_MS) secrets.push(deps.secrets.open(row.previousSecret, row.communityId));
  return secrets;
}

export async function deliverOne(deps: GovernanceDeps, now = new Date()): Promise<boolean> {
  const leaseMs = deps.config.deliveryTimeoutMs + 5000;
  const claimed = await claimDue<RawDelivery>(deps.db.em(), DeliveryEntity, { timeColumn: "next_attempt_at", where: "status = 'pending'", leaseMs, now, extraSet: "attempts = attempts + 1" });
  if (!claimed) return false;
  const table = tableOf(deps.db.em(), DeliveryEntity);
  const record = (status: string, lastError: string, next: Date) =>
    query(deps.db.em(), `update ${table} set status = ?, last_error = ?, next_attempt_at = ?, updated_at = ? where id = ?`, [status, lastError.slice(0, 2000), next, new Date(), claimed.id]);
  const secrets = await signingSecrets(deps, claimed);
  if (!secrets) {
    await record("failed", "subscription deleted", now);
    deps.metrics?.governanceDelivery(claimed.kind, "failed");
    return true;
  }
  const headers: Record<string, string> = { "Polity-Delivery": claimed.id, "Polity-Delivery-Kind": claimed.kind };
  if (claimed.event_id) headers["Polity-Event"] = claimed.event_id;
  const result = await deliverOnce({ fetch: deps.fetch, url: claimed.url, body: claimed.body, secret: secrets, headers, timeoutMs: deps.config.deliveryTimeoutMs });
  const why = result.error ?? (result.status ? `HTTP ${result.status}${result.responseExcerpt ? `: ${result.responseExcerpt.slice(0, 200)}` : ""}` : "");
  const outcome = result.outcome === "delivered" ? "delivered" : result.outcome === "give_up" || claimed.attempts >= deps.config.deliveryMaxAttempts ? "failed" : "retry";
  if (outcome === "delivered") await record("delivered", "", new Date());
  else if (outcome === "failed") await record("failed", why || "gave up", new Date());
  else await record("pending", why, new Date(Date.now() + delayBeforeNextAttempt(claimed.attempts, result.retryAfterMs)));
  deps.metrics?.governanceDelivery(claimed.kind, outcome);
  return true;
}
