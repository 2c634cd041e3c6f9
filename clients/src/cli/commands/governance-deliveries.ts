// Outgoing deliveries of a community's governance: polity subscriptions create | list | delete (events sent to
// a URL), polity deliveries list | replay (each callback and event sent, and its attempts), and polity callbacks
// rotate-secret. The signing secrets are printed once, when made.
import type { Command } from "commander";
import {
  CreateSubscriptionResponseSchema, ListDeliveriesResponseSchema, ListSubscriptionsResponseSchema, ReplayDeliveryResponseSchema,
  RotateCallbackSecretResponseSchema, type Delivery,
} from "../../gen/polity/mod/governance/v1/governance_pb.js";
import { action, type Session } from "../session.js";
import { page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, shortId, tableTime, time } from "../output.js";
import { communityId } from "../community-context.js";
import type { Io } from "../io.js";
import {
  collect, DELIVERY_STATUSES, deliveryStatusName, governance, parseStatus, resolveDelivery, resolveSubscription,
} from "./governance-shared.js";

const SHOWN_ONCE = "Keep this secret now: it is not shown again. It signs the Polity-Signature header (HMAC-SHA256).\n";

export function register(program: Command, io: Io): void {
  const subs = program.command("subscriptions").description("deliver a community's governance events to a URL");

  subs.command("create <community> <url>")
    .description("send the community's events (all, or --type ones) to URL, signed with a secret printed once")
    .option("--type <type>", "only this event type, e.g. discourse.post_created (repeat)", collect)
    .action(action(io, async (s, ref: string, url: string, o: { type?: string[] }) => {
      const res = await governance(s).createSubscription({ communityId: await communityId(s, ref), url, eventTypes: o.type ?? [] });
      s.emit(CreateSubscriptionResponseSchema, res, () => {
        const x = res.subscription;
        printRecord(s.io, { id: x?.id, url: x?.url, types: x?.eventTypes.join(", ") || "all", secret: res.secret });
        s.io.stderr(SHOWN_ONCE);
      });
    }));

  subs.command("list <community>").description("the community's subscriptions").action(action(io, async (s, ref: string) => {
    const res = await governance(s).listSubscriptions({ communityId: await communityId(s, ref) });
    s.emit(ListSubscriptionsResponseSchema, res, () => printTable(s.io, ["ID", "URL", "TYPES", "CREATED (UTC)"], res.subscriptions.map((x) => [
      shortId(x.id), x.url, x.eventTypes.join("\n") || "all", tableTime(x.createTime),
    ])));
  }));

  subs.command("delete <community> <subscription>").description("stop a subscription (subscription: id, unique prefix or its URL)").action(action(io, async (s, ref: string, sub: string) => {
    const id = await communityId(s, ref);
    const subscriptionId = await resolveSubscription(s, id, sub, ref);
    await governance(s).deleteSubscription({ communityId: id, subscriptionId });
    if (!s.json) s.io.stderr(`deleted subscription ${subscriptionId}\n`);
  }));

  const deliveries = program.command("deliveries").description("outgoing process callbacks and subscription events, with their attempts");

  withPaging(deliveries.command("list <community>"))
    .description("the community's deliveries, newest first")
    .option("--status <status>", `only this status: ${Object.keys(DELIVERY_STATUSES).join(", ")}`)
    .action(action(io, async (s, ref: string, o: PageOptions & { status?: string }) => {
      const status = o.status ? parseStatus(DELIVERY_STATUSES, "--status", o.status) : 0;
      const res = await governance(s).listDeliveries({ communityId: await communityId(s, ref), status, ...page(o) });
      s.emit(ListDeliveriesResponseSchema, res, () => {
        printTable(s.io, ["ID", "KIND", "URL", "STATUS", "ATTEMPTS", "LAST ERROR", "NEXT ATTEMPT (UTC)"], res.deliveries.map((d) => [
          shortId(d.id), d.kind, d.url, deliveryStatusName(d.status), d.attempts, d.lastError, tableTime(d.nextAttemptTime),
        ]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  deliveries.command("replay <community> <delivery>").description("send a delivery again, whatever its state (delivery: id or unique prefix)").action(action(io, async (s, ref: string, ref2: string) => {
    const id = await communityId(s, ref);
    const res = await governance(s).replayDelivery({ communityId: id, deliveryId: await resolveDelivery(s, id, ref2, ref) });
    s.emit(ReplayDeliveryResponseSchema, res, () => showDelivery(s, res.delivery));
  }));

  const callbacks = program.command("callbacks").description("process callbacks of a community");
  callbacks.command("rotate-secret <community>").description("make a new secret for signing process callbacks, printed once").action(action(io, async (s, ref: string) => {
    const res = await governance(s).rotateCallbackSecret({ communityId: await communityId(s, ref) });
    s.emit(RotateCallbackSecretResponseSchema, res, () => {
      s.io.stdout(`${res.secret}\n`);
      s.io.stderr(SHOWN_ONCE);
    });
  }));
}

function showDelivery(s: Session, d: Delivery | undefined): void {
  if (!d) return;
  printRecord(s.io, {
    id: d.id, kind: d.kind, url: d.url, status: deliveryStatusName(d.status), attempts: d.attempts, "last error": d.lastError,
    process: d.processId, subscription: d.subscriptionId, event: d.eventId, "next attempt": time(d.nextAttemptTime), created: time(d.createTime), updated: time(d.updateTime),
  });
}
