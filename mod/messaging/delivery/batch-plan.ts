// The read half of a sender's pass over a batch: what each message needs next, decided from a handful of
// set-based reads (the messages, their blasts, attempts, recipients and chains) instead of a dozen per message.
// Nothing is written here; the decisions go to send-batch.ts, which writes them in one transaction.
import { Direction, MessageState } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { blastStates } from "../blasts/gate.js";
import { loadRecipients, type Recipient } from "../contacts/recipients.js";
import type { MessagingDeps } from "../deps.js";
import { resolveChains, type ResolvedProvider } from "../providers/chain.js";
import { type AttemptRow, attemptsOf } from "./attempts.js";
import type { AttemptClose } from "./batch-writes.js";
import { type MessageRow, readMessages, refOf } from "./message-row.js";
import { describeAttempt, nextStep } from "./plan.js";
import type { SendJob } from "./send-queue.js";
import type { SenderSettings } from "./settings.js";

export const ACTIVE = new Set<number>([MessageState.PENDING, MessageState.SENDING]);
// Beyond the send timeout, an attempt still open belongs to a worker that is gone.
const STALE_GRACE_MS = 5_000;

/** A message whose next step is a call to `provider`. */
export interface Candidate {
  message: MessageRow;
  recipient: Recipient;
  provider: ResolvedProvider;
  attemptNo: number;
  previous?: AttemptRow;
  chain: ResolvedProvider[];
}

export interface Requeue {
  messageId: string;
  at: Date;
  slot?: SendJob["slot"];
  /** Also moves the message's send time (a paused blast, a retry's backoff). */
  move?: boolean;
}

export interface PassPlan {
  candidates: Candidate[];
  requeue: Requeue[];
  finish: Array<{ messageId: string; state: MessageState; reason: string }>;
  /** Attempts left open by a worker that died mid-send: closed as transient before the next step. */
  closeStale: AttemptClose[];
}

export async function planPass(deps: MessagingDeps, settings: SenderSettings, em: EntityManager, ids: string[], slots: Map<string, SendJob["slot"]>): Promise<PassPlan> {
  const plan: PassPlan = { candidates: [], requeue: [], finish: [], closeStale: [] };
  const messages = (await readMessages(em, ids)).filter((m) => m.direction === Direction.OUTGOING && ACTIVE.has(m.state));
  const now = Date.now();

  const due: MessageRow[] = [];
  for (const m of messages) {
    if (m.send_at.getTime() > now + 50) plan.requeue.push({ messageId: m.id, at: m.send_at, slot: slots.get(m.id) });
    else due.push(m);
  }
  const blasts = await blastStates(em, due.flatMap((m) => (m.blast_id ? [m.blast_id] : [])));
  const going: MessageRow[] = [];
  for (const m of due) {
    const blast = m.blast_id ? blasts.get(m.blast_id) : undefined;
    if (blast === "PAUSED") plan.requeue.push({ messageId: m.id, at: new Date(now + settings.pausedRecheckMs), slot: slots.get(m.id), move: true });
    else if (blast === "CANCELLED") plan.finish.push({ messageId: m.id, state: MessageState.CANCELLED, reason: "blast cancelled" });
    else going.push(m);
  }

  const attemptRows = await attemptsOf(em, going.map((m) => m.id));
  const attemptsByMessage = new Map<string, AttemptRow[]>();
  const live: MessageRow[] = [];
  for (const m of going) {
    const mine = attemptRows.filter((a) => a.message_id === m.id && a.round === m.round);
    const open = mine.find((a) => a.outcome === null);
    if (open) {
      const staleAt = open.started_at.getTime() + settings.sendTimeoutMs + STALE_GRACE_MS;
      // Another worker is sending it right now: look again once that send must have ended.
      if (staleAt > now) {
        plan.requeue.push({ messageId: m.id, at: new Date(staleAt), slot: slots.get(m.id) });
        continue;
      }
      open.outcome = "transient";
      open.reason = "interrupted: the worker stopped mid-send";
      plan.closeStale.push({ id: open.id, outcome: "transient", reason: open.reason });
    }
    attemptsByMessage.set(m.id, mine);
    live.push(m);
  }

  const reached: Array<{ message: MessageRow; recipient: Recipient }> = [];
  for (const orgId of new Set(live.map((m) => m.org_id))) {
    const mine = live.filter((m) => m.org_id === orgId);
    const recipients = await loadRecipients(deps, em, orgId, mine.map(refOf));
    mine.forEach((message, i) => {
      const recipient = recipients[i];
      if (recipient) reached.push({ message, recipient });
      else plan.finish.push({ messageId: message.id, state: MessageState.FAILED, reason: "RECIPIENT_GONE: the contact was erased or is no longer a member" });
    });
  }

  const chains = await resolveChains(deps, em, reached.map(({ message, recipient }) => ({ recipient, category: message.category ?? undefined })));
  reached.forEach(({ message, recipient }, i) => {
    const chain = chains[i];
    if (chain.length === 0) {
      plan.finish.push({ messageId: message.id, state: MessageState.FAILED, reason: "NO_CHANNEL: no service of the chain reaches a consented, not opted-out address of the recipient" });
      return;
    }
    const attempts = attemptsByMessage.get(message.id) ?? [];
    const step = nextStep(chain.map((p) => p.id), attempts, settings.attemptsPerProvider);
    if (step.kind === "exhausted") {
      const names = new Map(chain.map((p) => [p.id, p.name]));
      const reason = `every service failed: ${attempts.filter((a) => a.outcome).map((a) => describeAttempt(a, names)).join("; ")}`;
      plan.finish.push({ messageId: message.id, state: MessageState.FAILED, reason: reason.slice(0, 8000) });
      return;
    }
    plan.candidates.push({ message, recipient, provider: chain[step.providerIndex], attemptNo: step.attempt, previous: step.previous, chain });
  });
  return plan;
}

export function sendingReason(c: Candidate): string | undefined {
  const { previous, provider, attemptNo, chain } = c;
  if (!previous) return undefined;
  const before = chain.find((p) => p.id === previous.provider_id)?.name ?? previous.provider_id;
  if (previous.provider_id === provider.id) return `retry ${attemptNo} on ${provider.name} after ${previous.outcome} failure: ${previous.reason ?? ""}`;
  return `falling back to ${provider.name} after ${previous.outcome} failure on ${before}: ${previous.reason ?? ""}`;
}
