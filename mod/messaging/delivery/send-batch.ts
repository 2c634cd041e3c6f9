// Sends a batch of messages, each walking its recipient's service chain from where its attempts left it. A pass
// reads the whole batch in a few set-based queries (batch-plan.ts), then in ONE transaction records every
// decision: waits, cancellations, failures, and for each message about to be sent its open attempt and SENDING
// move (so a worker killed mid-send leaves an open attempt, closed as interrupted by the next run, which re-sends
// with the same idempotency key). The provider calls run side by side holding no transaction; their outcomes
// are recorded in ONE more transaction. A transient failure schedules the next try on the same provider (a new
// job, never a sleep); a permanent one, or a provider out of attempts, takes the message to the next pass,
// which moves it down its chain; the last failure marks it FAILED with every attempt's reason.
import { MessageState } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { delayBeforeNextAttempt } from "../../../sys/core/outbound/retry-schedule.js";
import type { MessagingDeps } from "../deps.js";
import { canMove } from "../messages/states.js";
import { type ProviderRateLimiter, waitFor } from "../rate-limit/provider-rate.js";
import { classifyFailure, type OutgoingMessage, type SendResult } from "../services/sdk/define-provider.js";
import { ACTIVE, type Candidate, type PassPlan, planPass, type Requeue, sendingReason } from "./batch-plan.js";
import { type AttemptClose, closeAttempts, insertAttempts, lockMessages, type Move, moveMany, postponeMany, setCarriers, withOpenAttempt } from "./batch-writes.js";
import { answeredMessages, outgoingFor } from "./content.js";
import type { SendMetrics } from "./metrics.js";
import { enqueueSends, type SendJob } from "./send-queue.js";
import type { SenderSettings } from "./settings.js";

export interface Sender {
  deps: MessagingDeps;
  settings: SenderSettings;
  limiter: ProviderRateLimiter;
  metrics: SendMetrics;
}

/** Passes per batch: each moves a message at least one provider down its chain (or ends it). */
const MAX_PASSES = 20;

/** Stable per (message, provider): a provider that honours idempotency keys delivers a re-sent message once. */
export function idempotencyKeyFor(messageId: string, providerId: string): string {
  return `polity-msg-${messageId}-${providerId}`;
}

export async function sendBatch(sender: Sender, jobs: SendJob[]): Promise<void> {
  const slots = new Map<string, SendJob["slot"]>();
  for (const job of jobs) if (job.slot) slots.set(job.messageId, job.slot);
  let ids = [...new Set(jobs.map((j) => j.messageId))];
  for (let pass = 0; pass < MAX_PASSES && ids.length > 0; pass++) {
    ids = await sendPass(sender, ids, slots);
    // A reserved slot is good for the first pass only (a later pass may be on another provider).
    slots.clear();
  }
  if (ids.length > 0) await sender.deps.db.em().transactional((tx) => enqueueSends(sender.deps, tx as EntityManager, ids.map((messageId) => ({ messageId }))));
}

interface Ready extends Candidate {
  outgoing?: OutgoingMessage;
  unusable?: string;
  waitMs: number;
  attemptId: string;
}

/** One pass; returns the messages that go on to their chain's next provider. */
async function sendPass(sender: Sender, ids: string[], slots: Map<string, SendJob["slot"]>): Promise<string[]> {
  const { deps, settings } = sender;
  const em = deps.db.em();
  const plan = await planPass(deps, settings, em, ids, slots);
  const answered = await answeredMessages(em, plan.candidates.map((c) => c.message));
  const ready: Ready[] = plan.candidates.map((c) => {
    try {
      return { ...c, outgoing: outgoingFor(deps, c.message, c.recipient, c.provider, idempotencyKeyFor(c.message.id, c.provider.id), answered), waitMs: 0, attemptId: crypto.randomUUID() };
    } catch (error) {
      // An opt-out that landed after the chain was resolved: this provider cannot be used, the next one may.
      return { ...c, unusable: error instanceof Error ? error.message : String(error), waitMs: 0, attemptId: crypto.randomUUID() };
    }
  });
  const going = await reserveSlots(sender, ready, slots, plan.requeue);

  const started = await deps.db.em().transactional((txem) => recordDecisions(sender, txem as EntityManager, plan, going));
  const results = await Promise.all(started.sending.map((r) => callProvider(sender, r)));
  const outcomes = await deps.db.em().transactional((txem) => recordOutcomes(sender, txem as EntityManager, results));
  // Counted once committed: a batch rolled back and retried message by message is not counted twice.
  outcomes.observe();
  return [...started.unusable, ...outcomes.next];
}

/** Reserves each provider's slots for its messages at once; a message whose slot is far off waits in the queue. */
async function reserveSlots(sender: Sender, ready: Ready[], slots: Map<string, SendJob["slot"]>, requeue: Requeue[]): Promise<Ready[]> {
  const byProvider = new Map<string, Ready[]>();
  for (const r of ready) {
    const slot = slots.get(r.message.id);
    if (r.unusable || (slot?.providerId === r.provider.id && Date.parse(slot.at) <= Date.now() + 50)) continue;
    byProvider.set(r.provider.id, [...(byProvider.get(r.provider.id) ?? []), r]);
  }
  const later = new Set<Ready>();
  for (const list of byProvider.values()) {
    const waits = await sender.limiter.reserveMany(list[0].provider.id, list[0].provider.ratePerSecond, list.length);
    list.forEach((r, i) => {
      r.waitMs = waits[i] ?? 0;
      if (r.waitMs <= sender.settings.maxInlineWaitMs) return;
      const at = new Date(Date.now() + r.waitMs);
      requeue.push({ messageId: r.message.id, at, slot: { providerId: r.provider.id, at: at.toISOString() } });
      later.add(r);
    });
  }
  return ready.filter((r) => !later.has(r));
}

/** The pass's decisions in one transaction; returns the messages to send now and those to move on at once. */
async function recordDecisions(sender: Sender, tx: EntityManager, plan: PassPlan, ready: Ready[]): Promise<{ sending: Ready[]; unusable: string[] }> {
  const locked = await lockMessages(tx, [...plan.finish.map((f) => f.messageId), ...plan.requeue.filter((r) => r.move).map((r) => r.messageId), ...ready.map((r) => r.message.id)]);
  await closeAttempts(tx, plan.closeStale);
  const moves: Move[] = [];
  for (const f of plan.finish) {
    const row = locked.get(f.messageId);
    if (row && ACTIVE.has(row.state) && canMove(row.state, f.state)) moves.push({ messageId: f.messageId, orgId: row.org_id, contactId: row.contact_id, state: f.state, reason: f.reason, at: new Date() });
  }
  await postponeMany(tx, plan.requeue.filter((r) => r.move).map((r) => ({ messageId: r.messageId, at: r.at })));
  await enqueueSends(sender.deps, tx, plan.requeue.map((r) => ({ messageId: r.messageId, startAfter: r.at, slot: r.slot })));

  // A second job for the same message that got here first owns this step (its attempt is open).
  const current = ready.filter((r) => {
    const row = locked.get(r.message.id);
    return row && ACTIVE.has(row.state) && row.round === r.message.round;
  });
  const busy = await withOpenAttempt(tx, current.map((r) => locked.get(r.message.id)!));
  const mine = current.filter((r) => !busy.has(r.message.id));
  await insertAttempts(tx, mine.map((r) => ({
    id: r.attemptId, messageId: r.message.id, providerId: r.provider.id, round: r.message.round, attempt: r.attemptNo,
    closed: r.unusable ? { outcome: "permanent" as const, reason: r.unusable } : undefined,
  })));
  const sending = mine.filter((r) => r.outgoing);
  for (const r of sending) {
    moves.push({
      messageId: r.message.id, orgId: r.message.org_id, contactId: r.message.contact_id, state: MessageState.SENDING, providerId: r.provider.id,
      reason: sendingReason(r), at: new Date(), carrier: { channel: r.provider.channel, address: r.outgoing!.to },
    });
  }
  await moveMany(tx, moves);
  return { sending, unusable: mine.filter((r) => r.unusable).map((r) => r.message.id) };
}

interface Called {
  ready: Ready;
  result?: SendResult;
  failure?: ReturnType<typeof classifyFailure>;
}

async function callProvider(sender: Sender, ready: Ready): Promise<Called> {
  const { deps, settings, metrics } = sender;
  // The slot's wait counts within the stale grace: the attempt is open, the send not yet started.
  await waitFor(ready.waitMs);
  const since = performance.now();
  try {
    const signal = AbortSignal.timeout(settings.sendTimeoutMs);
    const result = await ready.provider.definition.send({ config: ready.provider.config, fetch: deps.fetch, signal, logger: deps.logger }, ready.outgoing!);
    metrics.observeSend(ready.provider.kind, "sent", (performance.now() - since) / 1000);
    return { ready, result };
  } catch (error) {
    const failure = classifyFailure(error);
    metrics.observeSend(ready.provider.kind, failure.transient ? "transient" : "permanent", (performance.now() - since) / 1000);
    return { ready, failure };
  }
}

/** The provider calls' outcomes in one transaction; returns the messages that go on to the next provider. */
async function recordOutcomes(sender: Sender, tx: EntityManager, called: Called[]): Promise<{ next: string[]; observe: () => void }> {
  if (called.length === 0) return { next: [], observe: () => undefined };
  const { deps, settings, metrics } = sender;
  const locked = await lockMessages(tx, called.map((c) => c.ready.message.id));
  const closes: AttemptClose[] = [];
  const moves: Move[] = [];
  const carriersOnly: Parameters<typeof setCarriers>[1] = [];
  const retries: Array<{ messageId: string; at: Date }> = [];
  const next: string[] = [];
  const observations: Array<() => void> = [];
  const sentAt = Date.now();
  for (const { ready: r, result, failure } of called) {
    const current = locked.get(r.message.id);
    if (result) {
      closes.push({ id: r.attemptId, outcome: "sent", providerMessageId: result.providerMessageId });
      const to = result.state === "DELIVERED_SERVICE" ? MessageState.DELIVERED_SERVICE : MessageState.SENT;
      const carrier = { channel: r.provider.channel, address: r.outgoing!.to, providerMessageId: result.providerMessageId };
      // A receipt may have overtaken this answer (DELIVERED already): then the state stays where it is.
      if (current && canMove(current.state, to)) moves.push({ messageId: r.message.id, orgId: r.message.org_id, contactId: r.message.contact_id, state: to, providerId: r.provider.id, at: new Date(sentAt), carrier });
      else carriersOnly.push({ messageId: r.message.id, providerId: r.provider.id, ...carrier });
      const seconds = (sentAt - r.message.created_at.getTime()) / 1000;
      observations.push(() => metrics.observeSent(r.provider.kind, seconds));
      if (to === MessageState.DELIVERED_SERVICE) observations.push(() => metrics.observeDelivered(r.provider.kind, seconds));
      continue;
    }
    const f = failure ?? { transient: true, reason: "unknown failure" };
    closes.push({ id: r.attemptId, outcome: f.transient ? "transient" : "permanent", reason: f.reason, retryAfterMs: f.retryAfterMs });
    if (!current || !ACTIVE.has(current.state)) continue;
    if (f.transient && r.attemptNo < settings.attemptsPerProvider) retries.push({ messageId: r.message.id, at: new Date(sentAt + delayBeforeNextAttempt(r.attemptNo, f.retryAfterMs)) });
    else next.push(r.message.id);
  }
  await closeAttempts(tx, closes);
  await setCarriers(tx, carriersOnly);
  await moveMany(tx, moves);
  await postponeMany(tx, retries);
  await enqueueSends(deps, tx, retries.map((r) => ({ messageId: r.messageId, startAfter: r.at })));
  return { next, observe: () => observations.forEach((o) => o()) };
}
