// polity audit COMMUNITY: downloads the community's whole activity log, re-verifies its hash chain (every
// prev_hash, every hash, gap-free sequences up to the server's head) and recounts every closed public poll from
// the log alone with the server's own tally engine and delegation resolution. Exit 0 only when all verifies.
import { createClient } from "@connectrpc/connect";
import type { ChainBreak, PollAudit } from "@polity/tally";
import type { Command } from "commander";
import { verifyCommunityActivity } from "../../activity-log.js";
import { VotingService } from "../../gen/polity/mod/voting/v1/voting_pb.js";
import { action } from "../session.js";
import { printTable } from "../output.js";
import { EXIT, ExitStatus } from "../exit.js";
import type { Io } from "../io.js";

const PAGE = 1000;

export function register(program: Command, io: Io): void {
  program
    .command("audit <community>")
    .description("verify a community's activity log and recount its closed public polls from it")
    .addHelpText("after", "\nExit codes: 0 everything verifies, 1 the chain is broken or a recount differs (the first broken sequence is named).")
    .action(action(io, async (s, communityId: string) => {
      const voting = createClient(VotingService, s.client.transport);
      const { headSequence: head, verifiedEntries, broken, polls, ok } = await verifyCommunityActivity(voting, communityId, PAGE);
      if (s.json) {
        io.stdout(JSON.stringify({ community_id: communityId, head_sequence: head, verified_entries: verifiedEntries, chain_ok: !broken, broken, polls, ok }, null, 2) + "\n");
      } else {
        report(io, communityId, head, verifiedEntries, broken, polls);
        io.stdout(ok ? "OK: the log and every recount verify\n" : `FAILED${firstBad(broken, polls)}\n`);
      }
      if (!ok) throw new ExitStatus(EXIT.server);
    }));
}

function firstBad(broken: ChainBreak | undefined, polls: PollAudit[]): string {
  if (broken) return `: first broken sequence ${broken.sequence}: ${broken.problem}`;
  const bad = polls.find((p) => p.status !== "verified" && !p.detail.startsWith("secret"));
  return bad ? `: poll ${bad.pollId} at sequence ${bad.sequence}: ${bad.detail}` : "";
}

function report(io: Io, communityId: string, head: number, verified: number, broken: ChainBreak | undefined, polls: PollAudit[]): void {
  io.stdout(`community ${communityId}: ${verified} of ${head} entries verified\n`);
  io.stdout(broken ? `chain BROKEN at sequence ${broken.sequence}: ${broken.problem}\n` : "chain intact: every prev_hash and hash verifies, no gaps\n");
  if (polls.length) printTable(io, ["POLL", "SEQUENCE", "STATUS", "DETAIL"], polls.map((p) => [p.pollId, p.sequence, p.status, p.detail]));
}
