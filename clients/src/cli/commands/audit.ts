// polity audit COMMUNITY: downloads the community's whole activity log, re-verifies its hash chain (every
// prev_hash, every hash, gap-free sequences up to the server's head) and recounts every closed public poll from
// the log alone with the server's own tally engine and delegation resolution. Exit 0 only when all verifies.
import { createClient } from "@connectrpc/connect";
import type { ChainBreak, PollAudit } from "@polity/tally";
import type { Command } from "commander";
import { verifyCommunityActivity } from "../../activity-log.js";
import { VotingService } from "../../gen/polity/mod/voting/v1/voting_pb.js";
import { action } from "../session.js";
import { printTable, shortId } from "../output.js";
import { resolveCommunity } from "../resolve.js";
import { pollTitles, type Names } from "../names.js";
import { countOf, createProgress } from "../progress.js";
import { EXIT, ExitStatus } from "../exit.js";
import type { Io } from "../io.js";

const PAGE = 1000;

export function register(program: Command, io: Io): void {
  program
    .command("audit <community>")
    .description("verify a community's activity log and recount its closed public polls from it")
    .addHelpText("after", "\nExit codes: 0 everything verifies, 1 the chain is broken or a recount differs (the first broken sequence is named).")
    .action(action(io, async (s, ref: string) => {
      const communityId = await resolveCommunity(s, ref);
      const voting = createClient(VotingService, s.client.transport);
      // The download is the long part: each page moves the progress line.
      const progress = createProgress(io, `audit ${ref}`);
      let fetched = 0;
      const counted: typeof voting = {
        ...voting,
        listActivity: async (req, opts) => {
          const res = await voting.listActivity(req, opts);
          fetched += res.entries.length;
          progress.update(countOf(fetched, Number(res.headSequence), "entries downloaded"));
          return res;
        },
      };
      let report;
      try {
        report = await verifyCommunityActivity(counted, communityId, PAGE);
      } finally {
        progress.done();
      }
      const { headSequence: head, verifiedEntries, broken, polls, ok } = report;
      if (s.json) {
        io.stdout(JSON.stringify({ community_id: communityId, head_sequence: head, verified_entries: verifiedEntries, chain_ok: !broken, broken, polls, ok }, null, 2) + "\n");
      } else {
        const title = await pollTitles(s, communityId);
        print(io, ref, head, verifiedEntries, broken, polls, title);
        io.stdout(ok ? "OK: the log and every recount verify\n" : `FAILED${firstBad(broken, polls, title)}\n`);
      }
      if (!ok) throw new ExitStatus(EXIT.server);
    }));
}

function firstBad(broken: ChainBreak | undefined, polls: PollAudit[], title: Names): string {
  if (broken) return `: first broken sequence ${broken.sequence}: ${broken.problem}`;
  const bad = polls.find((p) => p.status !== "verified" && !p.detail.startsWith("secret"));
  return bad ? `: poll "${title(bad.pollId)}" (${bad.pollId}) at sequence ${bad.sequence}: ${bad.detail}` : "";
}

function print(io: Io, community: string, head: number, verified: number, broken: ChainBreak | undefined, polls: PollAudit[], title: Names): void {
  io.stdout(`community ${community}: ${verified} of ${head} entries verified\n`);
  io.stdout(broken ? `chain BROKEN at sequence ${broken.sequence}: ${broken.problem}\n` : "chain intact: every prev_hash and hash verifies, no gaps\n");
  if (polls.length) printTable(io, ["POLL", "ID", "SEQUENCE", "STATUS", "DETAIL"], polls.map((p) => [title(p.pollId), shortId(p.pollId), p.sequence, p.status, p.detail]));
}
