// The seams between the voting module's parts (polls and ballots, delegation, activity log), so each part can
// be read and tested on its own. Implementations: delegation/resolve.ts, activity/append.ts.
import type { DelegationResolution } from "@polity/tally";
import type { EntityManager } from "../../sys/core/db.js";

export type { DelegationResolution, WeightFlowRecord } from "@polity/tally";

export type ActivityKindName =
  | "poll_created" | "poll_updated" | "poll_deleted" | "poll_opened" | "poll_closed"
  | "ballot_cast" | "ballot_changed" | "ballot_retracted"
  | "delegation_created" | "delegation_revoked"
  | "membership_changed" | "result_published" | "ballots_revealed"
  | "governance_plugin_changed" | "governance_action_run" | "governance_process_changed";

export interface ActivityInput {
  communityId: string;
  kind: ActivityKindName;
  actorId: string;
  pollId?: string;
  // JSON-serialisable content; encoded canonically (sorted keys) and covered by the entry's hash. A ballot
  // entry carries who voted, and what only where everyone may see it now (ballots/privacy.ts).
  payload: Record<string, unknown>;
}

export interface AppendedActivity {
  sequence: number;
  hash: string;
}

/**
 * Appends to the community's hash chain inside the caller's transaction (so the entry exists iff the change
 * does), and schedules a notification to watchers on every replica after commit.
 */
export type AppendActivity = (em: EntityManager, input: ActivityInput) => Promise<AppendedActivity>;

/**
 * Resolves, from the delegations in force at this instant, where each eligible member's weight goes for a poll
 * with these topics: a direct vote always wins; otherwise the most specific delegation (a topic of the poll,
 * else global) is followed transitively to the first delegate who voted. Weight caught in a cycle is lost,
 * never counted twice. Must handle 1,000,000 members and 300,000 delegations in seconds.
 */
export type ResolveDelegations = (input: {
  em: EntityManager;
  communityId: string;
  topics: string[];
  eligible: string[];
  voters: ReadonlySet<string>;
}) => Promise<DelegationResolution>;
