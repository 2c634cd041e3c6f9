// Sends one message: walks its recipient's service chain from where the attempts left it. Each try is recorded
// (SENDING, an open attempt) before the provider is called and closed with its outcome after, each in its own
// short transaction; the provider call itself holds no transaction. A transient failure schedules the next
// try on the same provider (a new job, never a sleep); a permanent one, or a provider out of attempts, moves to
// the next provider at once; the last failure marks the message FAILED with every attempt's reason.
import { Direction, MessageState } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { delayBeforeNextAttempt } from "../../../sys/core/outbound/retry-schedule.js";
import { blastStates } from "../blasts/gate.js";
import { loadRecipient, type Recipient } from "../contacts/recipients.js";
import type { MessagingDeps } from "../deps.js";
import { recordMove } from "../messages/store.js";
import { canMove } from "../messages/states.js";
import { resolveChain, type ResolvedProvider } from "../providers/chain.js";
import type { ProviderRateLimiter } from "../rate-limit/provider-rate.js";
import { classifyFailure } from "../services/sdk/define-provider.js";
import { type AttemptRow, attemptsOf, closeAttempt, openAttempt } from "./attempts.js";
import { outgoingFor } from "./content.js";
import { type MessageRow, postpone, readMessage, refOf, setCarrier } from "./message-row.js";
import { describeAttempt, nextStep } from "./plan.js";
import { enqueueSends, type SendJob } from "./send-queue.js";
import type { SenderSettings } from "./settings.js";

export interface Sender {
  deps: MessagingDeps;
  settings: SenderSettings;
  limiter: ProviderRateLimiter;
}

const ACTIVE = new Set<number>([MessageState.PENDING, MessageState.SENDING]);
// Beyond the send timeout, an attempt still open belongs to a worker that is gone.
const STALE_GRACE_MS = 5_000;

/** Stable per (message, provider): a provider that honours idempotency keys delivers a re-sent message once. */
export function idempotencyKeyFor(messageId: string, providerId: string): string {
  return `polity-msg-${messageId}-${providerId}`;
}

export async function sendMessage(sender: Sender, job: SendJob): Promise<void> {
  const { deps } = sender;
  // Each pass either ends the job (sent, failed, rescheduled) or moves to the next provider of the chain.
  for (let pass = 0; pass < 100; pass++) {
    const em = deps.db.em();
    const message = await readMessage(em, job.messageId);
    if (!message || message.direction !== Direction.OUTGOING || !ACTIVE.has(message.state)) return;
    const now = Date.now();
    if (message.send_at.getTime() > now + 50) return requeue(deps, message.id, message.send_at, job);

    if (message.blast_id) {
      const blast = (await blastStates(em, [message.blast_id])).get(message.blast_id);
      if (blast === "PAUSED") return requeue(deps, message.id, new Date(now + sender.settings.pausedRecheckMs), job, true);
      if (blast === "CANCELLED") return finish(deps, message.id, MessageState.CANCELLED, "blast cancelled");
    }

    const attempts = await attemptsOf(em, [message.id], message.round);
    const open = attempts.find((a) => a.outcome === null);
    if (open) {
      const staleAt = open.started_at.getTime() + sender.settings.sendTimeoutMs + STALE_GRACE_MS;
      // Another worker is sending it right now: look again once that send must have ended.
      if (staleAt > now) return requeue(deps, message.id, new Date(staleAt), job);
      await closeAttempt(em, open.id, { outcome: "transient", reason: "interrupted: the worker stopped mid-send" });
      open.outcome = "transient";
      open.reason = "interrupted: the worker stopped mid-send";
    }

    const recipient = await loadRecipient(deps, em, message.org_id, refOf(message));
    if (!recipient) return finish(deps, message.id, MessageState.FAILED, "RECIPIENT_GONE: the contact was erased or is no longer a member");
    const chain = await resolveChain(deps, em, recipient, message.category ?? undefined);
    if (chain.length === 0) return finish(deps, message.id, MessageState.FAILED, "NO_CHANNEL: no service of the chain reaches a consented, not opted-out address of the recipient");

    const step = nextStep(chain.map((p) => p.id), attempts, sender.settings.attemptsPerProvider);
    if (step.kind === "exhausted") {
      const names = new Map(chain.map((p) => [p.id, p.name]));
      return finish(deps, message.id, MessageState.FAILED, `every service failed: ${attempts.filter((a) => a.outcome).map((a) => describeAttempt(a, names)).join("; ")}`);
    }
    const provider = chain[step.providerIndex];

    const slotReserved = job.slot?.providerId === provider.id && Date.parse(job.slot.at) <= Date.now() + 50;
    if (!slotReserved) {
      const waitMs = await sender.limiter.reserve(provider.id, provider.ratePerSecond);
      if (waitMs > sender.settings.maxInlineWaitMs) {
        const at = new Date(Date.now() + waitMs);
        return requeue(deps, message.id, at, { messageId: message.id, slot: { providerId: provider.id, at: at.toISOString() } });
      }
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    }
    job = { messageId: job.messageId };

    const outcome = await attempt(sender, message, recipient, provider, step.attempt, step.previous, chain);
    if (outcome === "done") return;
  }
}

async function attempt(
  sender: Sender,
  message: MessageRow,
  recipient: Recipient,
  provider: ResolvedProvider,
  attemptNo: number,
  previous: AttemptRow | undefined,
  chain: ResolvedProvider[],
): Promise<"done" | "next"> {
  const { deps } = sender;
  let outgoing: Awaited<ReturnType<typeof outgoingFor>> | undefined;
  let unusable: string | undefined;
  try {
    outgoing = await outgoingFor(deps, deps.db.em(), message, recipient, provider, idempotencyKeyFor(message.id, provider.id));
  } catch (error) {
    // An opt-out that landed after the chain was resolved: this provider cannot be used, the next one may.
    unusable = error instanceof Error ? error.message : String(error);
  }
  const attemptId = await deps.db.em().transactional(async (txem) => {
    const tx = txem as EntityManager;
    const current = await readMessage(tx, message.id, { lock: true });
    if (!current || !ACTIVE.has(current.state) || current.round !== message.round) return undefined;
    // A second job for the same message that got here first owns this step.
    if ((await attemptsOf(tx, [message.id], message.round)).some((a) => a.outcome === null)) return undefined;
    const id = await openAttempt(tx, { messageId: message.id, providerId: provider.id, round: message.round, attempt: attemptNo });
    if (!outgoing) {
      await closeAttempt(tx, id, { outcome: "permanent", reason: unusable });
      return "unusable" as const;
    }
    await setCarrier(tx, message.id, { providerId: provider.id, channel: provider.channel, address: outgoing.to });
    await recordMove(tx, { messageId: message.id, orgId: message.org_id, contactId: message.contact_id, state: MessageState.SENDING, providerId: provider.id, reason: sendingReason(provider, attemptNo, previous, chain), at: new Date() });
    return id;
  });
  if (!attemptId) return "done";
  if (attemptId === "unusable" || !outgoing) return "next";

  let result: { providerMessageId: string; state?: "SENT" | "DELIVERED_SERVICE" } | undefined;
  let failure: ReturnType<typeof classifyFailure> | undefined;
  try {
    const signal = AbortSignal.timeout(sender.settings.sendTimeoutMs);
    result = await provider.definition.send({ config: provider.config, fetch: deps.fetch, signal, logger: deps.logger }, outgoing);
  } catch (error) {
    failure = classifyFailure(error);
  }

  return deps.db.em().transactional(async (txem) => {
    const tx = txem as EntityManager;
    const current = await readMessage(tx, message.id, { lock: true });
    if (result) {
      await closeAttempt(tx, attemptId, { outcome: "sent", providerMessageId: result.providerMessageId });
      await setCarrier(tx, message.id, { providerId: provider.id, channel: provider.channel, address: outgoing.to, providerMessageId: result.providerMessageId });
      const to = result.state === "DELIVERED_SERVICE" ? MessageState.DELIVERED_SERVICE : MessageState.SENT;
      // A receipt may have overtaken this answer (DELIVERED already): then the state stays where it is.
      if (current && canMove(current.state, to)) await recordMove(tx, { messageId: message.id, orgId: message.org_id, contactId: message.contact_id, state: to, providerId: provider.id, at: new Date() });
      return "done" as const;
    }
    const f = failure ?? { transient: true, reason: "unknown failure" };
    await closeAttempt(tx, attemptId, { outcome: f.transient ? "transient" : "permanent", reason: f.reason, retryAfterMs: f.retryAfterMs });
    if (!current || !ACTIVE.has(current.state)) return "done" as const;
    if (f.transient && attemptNo < sender.settings.attemptsPerProvider) {
      const at = new Date(Date.now() + delayBeforeNextAttempt(attemptNo, f.retryAfterMs));
      await postpone(tx, message.id, at);
      await enqueueSends(deps, tx, [{ messageId: message.id, startAfter: at }]);
      return "done" as const;
    }
    return "next" as const;
  });
}

function sendingReason(provider: ResolvedProvider, attemptNo: number, previous: AttemptRow | undefined, chain: ResolvedProvider[]): string | undefined {
  if (!previous) return undefined;
  const before = chain.find((p) => p.id === previous.provider_id)?.name ?? previous.provider_id;
  if (previous.provider_id === provider.id) return `retry ${attemptNo} on ${provider.name} after ${previous.outcome} failure: ${previous.reason ?? ""}`;
  return `falling back to ${provider.name} after ${previous.outcome} failure on ${before}: ${previous.reason ?? ""}`;
}

/** Moves a message to FAILED or CANCELLED (if it is still pending or sending). */
async function finish(deps: MessagingDeps, messageId: string, to: MessageState, reason: string): Promise<void> {
  await deps.db.em().transactional(async (txem) => {
    const tx = txem as EntityManager;
    const current = await readMessage(tx, messageId, { lock: true });
    if (!current || !ACTIVE.has(current.state) || !canMove(current.state, to)) return;
    await recordMove(tx, { messageId, orgId: current.org_id, contactId: current.contact_id, state: to, reason: reason.slice(0, 8000), at: new Date() });
  });
}

async function requeue(deps: MessagingDeps, messageId: string, at: Date, job: SendJob, moveSendTime = false): Promise<void> {
  await deps.db.em().transactional(async (txem) => {
    const tx = txem as EntityManager;
    if (moveSendTime) await postpone(tx, messageId, at);
    await enqueueSends(deps, tx, [{ messageId, startAfter: at, slot: job.slot }]);
  });
}

