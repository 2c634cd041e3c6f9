// polity activity [COMMUNITY] [--follow]: the community's public, hash-chained activity log. Without --follow
// it pages through ListActivity; --follow streams WatchActivity and keeps going until interrupted.
import type { Command } from "commander";
import { toJson } from "@bufbuild/protobuf";
import { ActivityEntrySchema, ActivityKind, ListActivityResponseSchema, type ActivityEntry } from "../../gen/polity/mod/voting/v1/voting_pb.js";
import { action } from "../session.js";
import { int } from "../args.js";
import { printTable, time } from "../output.js";
import { communityId } from "../community-context.js";
import type { Io } from "../io.js";

const kind = (k: ActivityKind) => (ActivityKind[k] ?? String(k)).toLowerCase().replace(/_/g, "-");
const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const row = (e: ActivityEntry) => [String(e.sequence), time(e.time), kind(e.kind), e.actorId, e.pollId, short(e.payload, 60), e.hash.slice(0, 12)];
const HEAD = ["SEQ", "TIME", "KIND", "ACTOR", "POLL", "PAYLOAD", "HASH"];

export function register(program: Command, io: Io): void {
  program
    .command("activity [community]")
    .description("the community's activity log (default: the current community)")
    .option("--after <seq>", "entries after this sequence number", int)
    .option("--limit <n>", "at most this many entries (without --follow)", int)
    .option("--follow", "stream new entries as they are appended (Ctrl-C to stop)", false)
    .action(action(io, async (s, ref: string | undefined, o: { after?: number; limit?: number; follow: boolean }) => {
      const id = await communityId(s, ref);
      let after = BigInt(o.after ?? 0);
      if (o.follow) {
        for await (const { entry } of s.client.voting.watchActivity({ communityId: id, afterSequence: after }, { timeoutMs: 0 })) {
          if (!entry) continue;
          if (s.json) s.io.stdout(JSON.stringify(toJson(ActivityEntrySchema, entry, { alwaysEmitImplicit: true })) + "\n");
          else s.io.stdout(`${row(entry).slice(0, 6).join("  ")}\n`);
        }
        return;
      }
      const entries: ActivityEntry[] = [];
      let head = 0n;
      const limit = o.limit ?? Infinity;
      // Follow pages until the head of the log (or --limit), so the table is the whole log by default.
      for (;;) {
        const res = await s.client.voting.listActivity({ communityId: id, afterSequence: after, pageSize: Math.min(1000, limit - entries.length) });
        entries.push(...res.entries);
        head = res.headSequence;
        if (res.entries.length === 0 || entries.length >= limit || res.entries.at(-1)!.sequence >= head) break;
        after = res.entries.at(-1)!.sequence;
      }
      s.emit(ListActivityResponseSchema, { $typeName: ListActivityResponseSchema.typeName, entries, headSequence: head }, () => printTable(s.io, HEAD, entries.map(row)));
    }));
}
