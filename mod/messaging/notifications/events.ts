// Activity-log entries → the notifications they make: a poll opened, a result published, a governance
// process that reached a final state. Each gets a key naming the event itself (not its place in the log), so
// however it is reached again it makes the same idempotency keys.
import type { ActivityKindName, ActivityRecord } from "../../voting/index.js";
import type { NotificationEvent } from "./compose.js";
import type { NotificationSources } from "./sources.js";

/** The kinds followed, whichever are on: the cursor moves past all of them alike. */
export const FOLLOWED_KINDS: ActivityKindName[] = ["poll_opened", "result_published", "governance_process_changed"];
const FINAL = new Set(["completed", "failed", "cancelled"]);

export async function eventOf(sources: NotificationSources, communityId: string, entry: ActivityRecord): Promise<NotificationEvent | undefined> {
  const voting = sources.voting?.();
  if (!voting) return undefined;
  if (entry.kind === "poll_opened" || entry.kind === "result_published") {
    const [poll] = await voting.pollSummaries(communityId, [entry.pollId]);
    // Deleted since: nothing to announce.
    if (!poll) return undefined;
    if (entry.kind === "poll_opened") return { kind: "poll_opened", key: `opened:${poll.id}`, communityId, poll };
    const { outcome } = await voting.pollOutcome({ communityId, pollId: poll.id });
    const winners = Array.isArray(outcome.winners) ? outcome.winners : [];
    return { kind: "result_published", key: `result:${poll.id}`, communityId, poll, winners, verdict: typeof outcome.verdict === "string" ? outcome.verdict : "" };
  }
  if (entry.kind === "governance_process_changed") {
    const status = String(entry.payload.status ?? "");
    const processId = String(entry.payload.process_id ?? "");
    const governance = sources.governance?.();
    if (!FINAL.has(status) || !governance) return undefined;
    const process = await governance.process(communityId, processId);
    if (!process) return undefined;
    return { kind: "process_outcome", key: `process:${process.id}:${status}`, communityId, process: { ...process, status } };
  }
  return undefined;
}
