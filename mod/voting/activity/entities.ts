// The activity log's tables. Writes go through raw SQL in append.ts (the head row is locked FOR UPDATE);
// these schemas declare the tables for the ORM and the migration check.
import { defineEntity, p } from "@mikro-orm/core";

export const ActivityEntry = defineEntity({
  name: "ActivityEntry",
  tableName: "activity_entries",
  properties: {
    communityId: p.uuid().primary(),
    sequence: p.bigint("number").primary(),
    kind: p.string().length(32),
    time: p.datetime(),
    actorId: p.string().length(64),
    // "" when the entry concerns no poll.
    pollId: p.string().length(64),
    // Canonical JSON (chain.ts), covered by the hash.
    payload: p.text(),
    prevHash: p.string().length(64),
    hash: p.string().length(64),
  },
});

// One row per community: the chain's head, locked FOR UPDATE by every append so sequences have no gaps and the
// chain no forks; and how far sys's membership events have been copied into the log.
export const ActivityHead = defineEntity({
  name: "ActivityHead",
  tableName: "activity_heads",
  properties: {
    communityId: p.uuid().primary(),
    sequence: p.bigint("number"),
    hash: p.string().length(64),
    membershipCursor: p.bigint("number"),
  },
});
