// polity activity [COMMUNITY] [--follow]: the community's public, hash-chained activity log. Without --follow
// it pages through ListActivity; --follow streams WatchActivity and keeps going until interrupted.
import type { Command } from "commander";
import { toJson } from "@bufbuild/protobuf";
import { ActivityEntrySchema, ActivityKind, ListActivityResponseSchema, type ActivityEntry } from "../../gen/polity/mod/voting/v1/voting_pb.js";
import { action } from "../session.js";
import { int } from "../args.js";
import { printTable, tableTime } from "../output.js";
import { memberNames, pollTitles, type Names } from "../names.js";
import { communityId } from "../community-context.js";
import type { Io } from "../io.js";

const kind = (k: ActivityKind) => (ActivityKind[k] ?? String(k)).toLowerCase().replace(/_/g, "-");
// The hashes are left to --json and `polity audit`, which checks them; a person reads who did what, when.
const HEAD = ["SEQ", "TIME (UTC)", "KIND", "ACTOR", "POLL", "PAYLOAD"];
const rowOf = (member: Names, poll: Names) => (e: ActivityEntry) =>
  [String(e.sequence), tableTime(e.time), kind(e.kind), member(e.actorId), poll(e.pollId), e.payload];

export function register(program: Command, io: Io): void {
  program
    .command("activity [community]")
    .description("the community's activity log (default: the current community)")
    .option("--after <seq>", "entries after this sequence number", int)
    .option("--limit <n>", "only the newest N entries (after --after, if given; without --follow)", int)
    .option("--follow", "stream new entries as they are appended (Ctrl-C to stop)", false)
    .action(action(io, async (s, ref: string | undefined, o: { after?: number; limit?: number; follow: boolean }) => {
      const id = await communityId(s, ref);
      let after = BigInt(o.after ?? 0);
      const names = async () => (s.json ? rowOf((x) => x, (x) => x) : rowOf(...(await Promise.all([memberNames(s, id), pollTitles(s, id)]))));
      if (o.follow) {
        const row = await names();
        for await (const { entry } of s.client.voting.watchActivity({ communityId: id, afterSequence: after }, { timeoutMs: 0 })) {
          if (!entry) continue;
          if (s.json) s.io.stdout(JSON.stringify(toJson(ActivityEntrySchema, entry, { alwaysEmitImplicit: true })) + "\n");
          else s.io.stdout(`${row(entry).join("  ")}\n`);
        }
        return;
      }
      const entries: ActivityEntry[] = [];
      let head = 0n;
      const limit = o.limit ?? Infinity;
      if (o.limit !== undefined) {
        // The newest N: start N entries before the head (sequences are gap-free, the audit checks that).
        const probe = await s.client.voting.listActivity({ communityId: id, afterSequence: 0n, pageSize: 1 });
        const start = probe.headSequence - BigInt(o.limit);
        if (start > after) after = start;
      }
      // Follow pages until the head of the log (or --limit), so the table is the whole log by default.
      for (;;) {
        const res = await s.client.voting.listActivity({ communityId: id, afterSequence: after, pageSize: Math.max(1, Math.min(1000, limit - entries.length)) });
        entries.push(...res.entries);
        head = res.headSequence;
        if (res.entries.length === 0 || entries.length >= limit || res.entries.at(-1)!.sequence >= head) break;
        after = res.entries.at(-1)!.sequence;
      }
      const row = await names();
      s.emit(ListActivityResponseSchema, { $typeName: ListActivityResponseSchema.typeName, entries, headSequence: head }, () => printTable(s.io, HEAD, entries.map(row)));
    }));
}
