// A community's activity log as the SDK reads it: wire entries in the hash chain's plain form, and the whole
// log downloaded page by page and verified with @polity/tally (chain and recounts), as `polity audit` does.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import { verifyActivityLog, type ActivityLogReport, type ChainEntry } from "@polity/tally";
import { ActivityKind, type ActivityEntry, type VotingService } from "./gen/polity/mod/voting/v1/voting_pb.js";

/** An ActivityEntry message as the chain hashes it (kind in snake_case, time as an ISO-8601 instant). */
export function chainEntryOf(e: ActivityEntry): ChainEntry {
  return {
    sequence: Number(e.sequence),
    kind: ((ActivityKind[e.kind] as string | undefined) ?? "UNSPECIFIED").toLowerCase(),
    time: e.time ? timestampDate(e.time).toISOString() : "",
    actorId: e.actorId,
    pollId: e.pollId,
    payload: e.payload,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

/** Every entry of the community's log from sequence 1, page by page; `onHead` hears the server's head. */
export async function* activityEntries(voting: Client<typeof VotingService>, communityId: string,
  onHead: (headSequence: number) => void = () => {}, pageSize = 1000): AsyncGenerator<ChainEntry> {
  for (let after = 0n; ;) {
    const res = await voting.listActivity({ communityId, afterSequence: after, pageSize });
    onHead(Number(res.headSequence));
    for (const e of res.entries) yield chainEntryOf(e);
    if (res.entries.length === 0) return;
    after = res.entries[res.entries.length - 1].sequence;
    if (after >= res.headSequence) return;
  }
}

/** Downloads and verifies a community's whole activity log: its hash chain and every closed public poll's count. */
export async function verifyCommunityActivity(voting: Client<typeof VotingService>, communityId: string, pageSize = 1000): Promise<ActivityLogReport> {
  let head = 0;
  const entries = activityEntries(voting, communityId, (h) => (head = Math.max(head, h)), pageSize);
  return verifyActivityLog(entries, () => head);
}
