// Subscriptions, the callback secret, and the deliveries admins inspect and replay. Signing secrets are made
// here, shown once, and kept sealed like plugin secrets.
import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { InferEntity } from "@mikro-orm/core";
import { type Delivery, DeliverySchema, DeliveryStatus, type GovernanceService, type Subscription, SubscriptionSchema } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { requirePrincipal } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { notFound } from "../../../sys/core/errors.js";
import { publishInTransaction } from "../../../sys/core/notifier.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { type GovernanceDeps, WORK_CHANNEL } from "../deps.js";
import { CallbackSecretEntity, DeliveryEntity, SubscriptionEntity } from "../entities.js";

type Handlers = Pick<ServiceImpl<typeof GovernanceService>, "createSubscription" | "listSubscriptions" | "deleteSubscription" | "rotateCallbackSecret" | "listDeliveries" | "replayDelivery">;
type DeliveryRow = InferEntity<typeof DeliveryEntity>;

const STATUS: Record<string, DeliveryStatus> = { pending: DeliveryStatus.PENDING, delivered: DeliveryStatus.DELIVERED, failed: DeliveryStatus.FAILED };

const newSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;

function subscriptionToProto(row: InferEntity<typeof SubscriptionEntity>): Subscription {
  return create(SubscriptionSchema, { id: row.id, communityId: row.communityId, url: row.url, eventTypes: row.eventTypes, createTime: timestampFromDate(row.createdAt) });
}

function deliveryToProto(row: DeliveryRow): Delivery {
  return create(DeliverySchema, {
    id: row.id, communityId: row.communityId, kind: row.kind, url: row.url, processId: row.processId ?? "", subscriptionId: row.subscriptionId ?? "",
    eventId: row.eventId ?? "", status: STATUS[row.status] ?? DeliveryStatus.UNSPECIFIED, attempts: row.attempts, lastError: row.lastError,
    nextAttemptTime: row.status === "pending" ? timestampFromDate(row.nextAttemptAt) : undefined,
    createTime: timestampFromDate(row.createdAt), updateTime: timestampFromDate(row.updatedAt),
  });
}

export function createDeliveryHandlers(deps: GovernanceDeps): Handlers {
  const { db } = deps;
  return {
    async createSubscription(req, ctx) {
      const secret = newSecret();
      const em = db.em();
      const id = crypto.randomUUID();
      const row = em.create(SubscriptionEntity, { id, communityId: req.communityId, url: req.url, eventTypes: req.eventTypes, secret: deps.secrets.seal(secret, id), createdBy: requirePrincipal(ctx).accountId, createdAt: new Date() });
      await em.flush();
      return { subscription: subscriptionToProto(row), secret };
    },

    async listSubscriptions(req) {
      const rows = await db.em().find(SubscriptionEntity, { communityId: req.communityId }, { orderBy: { createdAt: "asc" } });
      return { subscriptions: rows.map(subscriptionToProto) };
    },

    async deleteSubscription(req) {
      // Deliveries already queued keep their copy of the URL and body; they stop when the secret is gone.
      const deleted = await db.em().nativeDelete(SubscriptionEntity, { id: req.subscriptionId, communityId: req.communityId });
      if (deleted === 0) throw notFound("subscription", req.subscriptionId);
      return {};
    },

    async rotateCallbackSecret(req) {
      const secret = newSecret();
      await db.em().transactional(async (tx) => {
        const row = await tx.findOne(CallbackSecretEntity, { communityId: req.communityId });
        const sealed = deps.secrets.seal(secret, req.communityId);
        if (!row) tx.create(CallbackSecretEntity, { communityId: req.communityId, secret: sealed, previousSecret: null, rotatedAt: new Date() });
        else Object.assign(row, { previousSecret: row.secret, secret: sealed, rotatedAt: new Date() });
      });
      return { secret };
    },

    async listDeliveries(req) {
      const size = pageSizeOf(req.pageSize);
      const where: Record<string, unknown> = { communityId: req.communityId, ...afterCursor(decodeCursor(req.pageToken)) };
      const status = Object.entries(STATUS).find(([, s]) => s === req.status)?.[0];
      if (status) where.status = status;
      const rows = await db.em().find(DeliveryEntity, where, { orderBy: { createdAt: "desc", id: "desc" }, limit: size + 1 });
      const page = pageOf(rows, size);
      return { deliveries: page.items.map(deliveryToProto), nextPageToken: page.nextPageToken };
    },

    async replayDelivery(req) {
      const row = await db.em().transactional(async (tx) => {
        const found = await tx.findOne(DeliveryEntity, { id: req.deliveryId, communityId: req.communityId });
        if (!found) throw notFound("delivery", req.deliveryId);
        Object.assign(found, { status: "pending", attempts: 0, lastError: "", nextAttemptAt: new Date(), updatedAt: new Date() });
        await tx.flush();
        await publishInTransaction(tx as EntityManager, WORK_CHANNEL, "delivery");
        return found;
      });
      deps.wake();
      return { delivery: deliveryToProto(row) };
    },
  };
}
