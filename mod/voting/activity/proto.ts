// Activity entries from their database rows to their wire form. The wire form back to the chain's plain form
// is the SDK's (clients/src/activity-log.ts), so whoever downloads a log converts it as the tests here do.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ActivityEntrySchema, ActivityKind, type ActivityEntry } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";

export function kindToProto(kind: string): ActivityKind {
  return (ActivityKind as unknown as Record<string, ActivityKind>)[kind.toUpperCase()] ?? ActivityKind.UNSPECIFIED;
}

export interface EntryRow {
  community_id: string;
  sequence: string | number;
  kind: string;
  time: Date | string;
  actor_id: string;
  poll_id: string;
  payload: string;
  prev_hash: string;
  hash: string;
}

export function rowToProto(row: EntryRow): ActivityEntry {
  return create(ActivityEntrySchema, {
    sequence: BigInt(row.sequence),
    communityId: row.community_id,
    kind: kindToProto(row.kind),
    time: timestampFromDate(new Date(row.time)),
    actorId: row.actor_id,
    pollId: row.poll_id,
    payload: row.payload,
    prevHash: row.prev_hash,
    hash: row.hash,
  });
}
