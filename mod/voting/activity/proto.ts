// Activity entries between their database rows, their wire form and the chain's plain form. Pure, so the CLI
// converts what it downloads exactly as the server converts what it stores.
import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ActivityEntrySchema, ActivityKind, type ActivityEntry } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { ActivityKindName } from "../contracts.js";
import type { ChainEntry } from "./chain.js";

export function kindToProto(kind: string): ActivityKind {
  return (ActivityKind as unknown as Record<string, ActivityKind>)[kind.toUpperCase()] ?? ActivityKind.UNSPECIFIED;
}

export function kindFromProto(kind: ActivityKind): ActivityKindName | "unspecified" {
  return ((ActivityKind[kind] as string | undefined) ?? "UNSPECIFIED").toLowerCase() as ActivityKindName;
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

export function protoToChain(e: ActivityEntry): ChainEntry {
  return {
    sequence: Number(e.sequence),
    kind: kindFromProto(e.kind),
    time: e.time ? timestampDate(e.time).toISOString() : "",
    actorId: e.actorId,
    pollId: e.pollId,
    payload: e.payload,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}
