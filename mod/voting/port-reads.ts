// The port's read-only views for modules that follow what the voting module commits (messaging's notifications):
// the activity log from a cursor, polls by id or by closing time, and word that a poll changed. Nothing here
// writes or locks.
import type { EntityManager } from "../../sys/core/db.js";
import { query, tableOf } from "../../sys/core/sql.js";
import { ActivityEntry, ActivityHead } from "./activity/entities.js";
import type { ActivityKindName } from "./contracts.js";
import type { VotingDeps } from "./deps.js";
import { PollEntity } from "./entities.js";
import { POLLS_CHANNEL } from "./polls/store.js";
import type { ActivityRecord, PollStateName, PollSummary, VotingPort } from "./port.js";

type Reads = Pick<VotingPort, "activitySince" | "activityHead" | "pollSummaries" | "pollsClosingBetween" | "onPollChanged">;

// These kinds log the electorate (eligible_ids), which can be a million ids: never read through the port.
const WITHOUT_PAYLOAD: ActivityKindName[] = ["poll_opened", "poll_closed", "poll_updated"];

type RawEntry = { sequence: string | number; kind: string; time: Date | string; actor_id: string; poll_id: string; payload: string };
type RawPoll = { id: string; community_id: string; title: string; state: string; closes_at: Date | string | null; time_zone: string };

const pollOf = (r: RawPoll): PollSummary => ({
  id: r.id, communityId: r.community_id, title: r.title, state: r.state as PollStateName, closesAt: r.closes_at ? new Date(r.closes_at) : null, timeZone: r.time_zone,
});

async function head(em: EntityManager, communityId: string): Promise<number> {
  const [row] = await query<{ sequence: string | number }>(em, `select sequence from ${tableOf(em, ActivityHead)} where community_id = ?`, [communityId]);
  return row ? Number(row.sequence) : 0;
}

export function createActivityReads(deps: Pick<VotingDeps, "db" | "notifier">): Reads {
  return {
    onPollChanged: (listener) => deps.notifier.subscribe(POLLS_CHANNEL, listener),

    activityHead: (communityId) => head(deps.db.em(), communityId),

    async activitySince(communityId, afterSequence, kinds, limit) {
      const em = deps.db.em();
      // Read up to the head as it stands now: entries append under the head's lock, so none below it is missing.
      const upTo = await head(em, communityId);
      if (upTo <= afterSequence) return { entries: [], through: afterSequence };
      const params: unknown[] = [WITHOUT_PAYLOAD, communityId, afterSequence, upTo];
      let kindFilter = "";
      if (kinds.length > 0) {
        kindFilter = "and kind in (?)";
        params.push(kinds);
      }
      params.push(limit);
      const rows = await query<RawEntry>(em,
        `select sequence, kind, time, actor_id, poll_id, case when kind in (?) then '{}' else payload end as payload
         from ${tableOf(em, ActivityEntry)} where community_id = ? and sequence > ? and sequence <= ? ${kindFilter} order by sequence limit ?`, params);
      const entries: ActivityRecord[] = rows.map((r) => ({
        sequence: Number(r.sequence), kind: r.kind as ActivityKindName, time: new Date(r.time), actorId: r.actor_id, pollId: r.poll_id, payload: JSON.parse(r.payload) as Record<string, unknown>,
      }));
      return { entries, through: entries.length < limit ? upTo : entries[entries.length - 1].sequence };
    },

    async pollSummaries(communityId, pollIds) {
      if (pollIds.length === 0) return [];
      const em = deps.db.em();
      const rows = await query<RawPoll>(em, `select id, community_id, title, state, closes_at, time_zone from ${tableOf(em, PollEntity)} where community_id = ? and id in (?)`, [communityId, pollIds]);
      return rows.map(pollOf);
    },

    async pollsClosingBetween(communityIds, from, to) {
      if (communityIds.length === 0) return [];
      const em = deps.db.em();
      const rows = await query<RawPoll>(em,
        `select id, community_id, title, state, closes_at, time_zone from ${tableOf(em, PollEntity)}
         where state = 'open' and closes_at >= ? and closes_at < ? and community_id in (?) order by closes_at, id`, [from, to, communityIds]);
      return rows.map(pollOf);
    },
  };
}
