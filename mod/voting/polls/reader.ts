// GetPoll's read: every caller's poll page asks for it, so it skips the ORM's hydration and shares one prepared
// statement with the other reads of the same event-loop turn (sys/core/sql.ts). Writers keep loadPoll (ORM,
// locked, in their transaction).
import type { Database } from "../../../sys/core/db.js";
import { createRowReader, dateOf, jsonOf } from "../../../sys/core/sql.js";
import { PollEntity, type PollOptionJson, type PollRow, type QuorumJson } from "../entities.js";

/** The columns pollMessage reads, aliased to PollRow's property names. */
const columns = [
  "id", `community_id as "communityId"`, "title", "body", "options", "method", "topics", `opens_at as "opensAt"`,
  `closes_at as "closesAt"`, `time_zone as "timeZone"`, `eligible_roles as "eligibleRoles"`, "quorum",
  `pass_threshold_percent as "passThresholdPercent"`, "seats", `min_selections as "minSelections"`,
  `max_selections as "maxSelections"`, `max_score as "maxScore"`, `result_visibility as "resultVisibility"`, "secrecy",
  `tie_break_seed as "tieBreakSeed"`, `allow_delegation as "allowDelegation"`, "state", `opened_at as "openedAt"`,
  `closed_at as "closedAt"`, `snapshot_at as "snapshotAt"`, `eligible_count as "eligibleCount"`,
  `created_by as "createdBy"`, `shuffle_options as "shuffleOptions"`, `eligibility_snapshot as "eligibilitySnapshot"`, `created_at as "createdAt"`, `updated_at as "updatedAt"`, "version",
].join(", ");

type Stamp = Date | string;
type RawPoll = Omit<PollRow, "options" | "quorum" | "opensAt" | "closesAt" | "openedAt" | "closedAt" | "snapshotAt" | "createdAt" | "updatedAt"> & {
  options: PollOptionJson[] | string;
  quorum: QuorumJson | string | null;
  opensAt: Stamp | null;
  closesAt: Stamp | null;
  openedAt: Stamp | null;
  closedAt: Stamp | null;
  snapshotAt: Stamp | null;
  createdAt: Stamp;
  updatedAt: Stamp;
};

const maybeDate = (v: Stamp | null) => (v === null ? null : dateOf(v));

/** Resolves the poll with this id (any community: the caller scopes it), or undefined. */
export function createPollReader(db: Pick<Database, "em">): (id: string) => Promise<PollRow | undefined> {
  return createRowReader<RawPoll, PollRow>(db, {
    name: "get_poll",
    entity: PollEntity,
    columns,
    toRow: (r) => ({
      ...r,
      options: jsonOf(r.options),
      quorum: r.quorum === null ? null : jsonOf(r.quorum),
      // float8 and int4 arrive as numbers from pg; bigint-safe coercion costs nothing and guards other drivers.
      passThresholdPercent: Number(r.passThresholdPercent),
      version: Number(r.version),
      opensAt: maybeDate(r.opensAt),
      closesAt: maybeDate(r.closesAt),
      openedAt: maybeDate(r.openedAt),
      closedAt: maybeDate(r.closedAt),
      snapshotAt: maybeDate(r.snapshotAt),
      createdAt: dateOf(r.createdAt),
      updatedAt: dateOf(r.updatedAt),
    }) as PollRow,
  });
}
