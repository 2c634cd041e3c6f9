// One call that checks a whole activity log: the hash chain entry by entry (streamed, so a long log is never
// held twice), then every closed public poll recounted from the entries before any break.
import { auditPolls, type PollAudit } from "./audit.js";
import { createChainVerifier, type ChainBreak, type ChainEntry } from "./chain.js";

export interface ActivityLogReport {
  /** The last sequence the server says the log has. */
  headSequence: number;
  verifiedEntries: number;
  chainOk: boolean;
  /** The first break in the chain (a gap, a reordering, a wrong hash, a missing tail). */
  broken?: ChainBreak;
  polls: PollAudit[];
  /** The chain holds and every closed public poll recounts as published (only secret polls may be skipped). */
  ok: boolean;
}

/**
 * Verifies a community's activity log, in sequence order from entry 1. `headSequence` is the server's head,
 * read after the entries (a function when it is learnt while paging). Reading stops at the first break.
 */
export async function verifyActivityLog(
  entries: Iterable<ChainEntry> | AsyncIterable<ChainEntry>,
  headSequence: number | (() => number),
): Promise<ActivityLogReport> {
  const verifier = createChainVerifier();
  const read: ChainEntry[] = [];
  let broken: ChainBreak | undefined;
  for await (const entry of entries) {
    broken = await verifier.push(entry);
    if (broken) break;
    read.push(entry);
  }
  const head = typeof headSequence === "function" ? headSequence() : headSequence;
  broken ??= verifier.finish(head);
  // Polls are recounted only from a log whose chain holds up to where it broke.
  const polls = await auditPolls(broken ? read.filter((e) => e.sequence < broken!.sequence) : read);
  const failed = polls.some((p) => p.status === "mismatch");
  const ok = !broken && !failed && polls.every((p) => p.status !== "skipped" || p.detail.startsWith("secret"));
  return { headSequence: head, verifiedEntries: verifier.verified, chainOk: !broken, broken, polls, ok };
}
