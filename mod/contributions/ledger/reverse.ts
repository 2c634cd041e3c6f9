// Reversing a credit: a debit entry "reversal:<reason>" of the same key, so the credit stays in the history and
// a second reversal (the key is taken) adds nothing.
import type { EntityManager } from "../../../sys/core/db.js";
import { failedPrecondition, notFound } from "../../../sys/core/errors.js";
import { appendEntry, findEntry, type LedgerRow } from "./entries.js";

export const REVERSAL_PREFIX = "reversal:";

export async function reverseEntry(tx: EntityManager, communityId: string, entryId: string, note: string, now = new Date()): Promise<LedgerRow> {
  const credit = await findEntry(tx, communityId, entryId);
  if (!credit) throw notFound("ledger entry", entryId);
  if (credit.reason.startsWith(REVERSAL_PREFIX) || credit.points <= 0) throw failedPrecondition("NOT_A_CREDIT", "only a credit can be reversed");
  const debit = await appendEntry(tx, { ...credit, reason: `${REVERSAL_PREFIX}${credit.reason}`, points: -credit.points, occurredAt: now, note }, now);
  if (!debit) throw failedPrecondition("ALREADY_REVERSED", "this credit has already been reversed");
  return debit;
}
