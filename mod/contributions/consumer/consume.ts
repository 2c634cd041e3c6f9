// Reads a community's GitHub events after its cursor and applies each in one transaction with the cursor's
// advance, under the cursor row's lock: on several replicas each event is applied once, in order, and a crash
// between two events loses nothing.
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { GovernanceEventRecord } from "../../governance/index.js";
import type { ContributionsDeps } from "../deps.js";
import { CursorEntity } from "../entities.js";
import { applyGithubItem, type GithubItem } from "./apply-event.js";
import { type ResolvedPeople, resolvePeople } from "./resolve.js";

const BATCH = 100;
/**
 * An event whose people cannot be resolved this many times in a row (the identity service down) is applied as
 * if nobody were registered: the ticket is kept and the next reconciliation credits whoever has an account.
 * One that still fails twice as often is skipped (logged).
 */
export const MAX_ATTEMPTS = 5;
const nobody = (): ResolvedPeople => ({ mentorAccounts: new Map() });

export async function cursorOf(em: EntityManager, communityId: string): Promise<number> {
  const [row] = await query<{ sequence: string | number }>(em, `select sequence from ${tableOf(em, CursorEntity)} where community_id = ?`, [communityId]);
  return row ? Number(row.sequence) : 0;
}

/** Communities the consumer has read before (their events may continue after their instance is disabled). */
export async function consumedCommunities(em: EntityManager): Promise<string[]> {
  return (await query<{ community_id: string }>(em, `select community_id from ${tableOf(em, CursorEntity)}`)).map((r) => r.community_id);
}

export interface Consumer {
  /** Applies the community's pending events; resolves with how many this call applied. */
  consume(communityId: string): Promise<number>;
}

export function createConsumer(deps: ContributionsDeps): Consumer {
  const failures = new Map<string, number>();

  // false: another replica moved the cursor past this event meanwhile (the caller reads again).
  const applyOne = async (record: GovernanceEventRecord) => {
    const item: GithubItem = { communityId: record.communityId, instanceId: record.instanceId, type: record.type, payload: record.data };
    const key = `${record.communityId}:${record.sequence}`;
    const attempts = failures.get(key) ?? 0;
    if (attempts === MAX_ATTEMPTS) deps.logger.warn({ community: record.communityId, sequence: record.sequence }, "contributions: applying an event without its people (they could not be resolved)");
    const people = attempts < MAX_ATTEMPTS ? await resolvePeople(deps, item) : nobody();
    return deps.db.em().transactional(async (em) => {
      const tx = em as EntityManager;
      const cursors = tableOf(tx, CursorEntity);
      await query(tx, `insert into ${cursors} (community_id, sequence, updated_at) values (?, 0, ?) on conflict do nothing`, [record.communityId, new Date()]);
      const [locked] = await query<{ sequence: string | number }>(tx, `select sequence from ${cursors} where community_id = ? for update`, [record.communityId]);
      if (Number(locked!.sequence) >= record.sequence) return false;
      if (attempts < 2 * MAX_ATTEMPTS) {
        await applyGithubItem(tx, item, people);
      } else {
        deps.logger.error({ community: record.communityId, sequence: record.sequence, type: record.type }, "contributions: skipping an event that kept failing");
      }
      await query(tx, `update ${cursors} set sequence = ?, updated_at = ? where community_id = ?`, [record.sequence, new Date(), record.communityId]);
      failures.delete(key);
      return true;
    });
  };

  return {
    async consume(communityId) {
      let applied = 0;
      for (;;) {
        const events = await deps.governance().readEvents(communityId, await cursorOf(deps.db.em(), communityId), "github.", BATCH);
        if (events.length === 0) return applied;
        for (const record of events) {
          let done: boolean;
          try {
            done = await applyOne(record);
          } catch (error) {
            const key = `${record.communityId}:${record.sequence}`;
            failures.set(key, (failures.get(key) ?? 0) + 1);
            throw error;
          }
          if (!done) break;
          applied++;
        }
      }
    },
  };
}
