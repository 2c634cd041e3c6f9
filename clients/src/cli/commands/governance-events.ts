// polity events COMMUNITY [--type T …] [--after CURSOR] [--follow]: the events a community's plugins produced
// (their platforms' webhooks, finished processes). Without --follow it pages through ListEvents to the newest;
// --follow streams WatchEvents, one line (or one JSON object) per event, until interrupted.
import type { Command } from "commander";
import { toJson } from "@bufbuild/protobuf";
import { EventSchema, ListEventsResponseSchema, type Event } from "../../gen/polity/mod/governance/v1/governance_pb.js";
import { action } from "../session.js";
import { int } from "../args.js";
import { printTable, tableTime, time } from "../output.js";
import { communityId } from "../community-context.js";
import type { Io } from "../io.js";
import { collect, governance, jsonText } from "./governance-shared.js";

const PAGE = 500;

/** Who caused it, as the plugin knows them: their platform user id when given, else the whole initiator. */
const initiatorText = (e: Event) => {
  const who = e.initiator ?? {};
  return typeof who.user_id === "string" ? who.user_id : Object.keys(who).length ? jsonText(who) : "";
};

export function register(program: Command, io: Io): void {
  program
    .command("events <community>")
    .description("events of the community's plugins, oldest first; --follow streams new ones")
    .option("--type <type>", "only this event type, e.g. randomness.draw_completed (repeat)", collect)
    .option("--after <cursor>", "events after this cursor (each event's CURSOR; with --follow, replayed first)")
    .option("--limit <n>", "at most N events (without --follow)", int)
    .option("--follow", "keep streaming events as they happen (Ctrl-C to stop)", false)
    .action(action(io, async (s, ref: string, o: { type?: string[]; after?: string; limit?: number; follow: boolean }) => {
      const id = await communityId(s, ref);
      const types = o.type ?? [];
      if (o.follow) {
        for await (const { event } of governance(s).watchEvents({ communityId: id, types, afterCursor: o.after ?? "" }, { timeoutMs: 0 })) {
          if (!event) continue;
          if (s.json) s.io.stdout(`${JSON.stringify(toJson(EventSchema, event, { alwaysEmitImplicit: true }))}\n`);
          else s.io.stdout(`${[event.cursor, time(event.time), event.type, initiatorText(event) || "-", jsonText(event.data)].join("  ")}\n`);
        }
        return;
      }
      const events: Event[] = [];
      let cursor = o.after ?? "";
      const limit = o.limit ?? Infinity;
      while (events.length < limit) {
        const res = await governance(s).listEvents({ communityId: id, types, afterCursor: cursor, pageSize: Math.min(PAGE, limit - events.length) });
        events.push(...res.events);
        // An empty page, or a cursor that did not move, is the end of the stream so far.
        if (res.events.length === 0 || res.cursor === cursor) break;
        cursor = res.cursor;
      }
      s.emit(ListEventsResponseSchema, { $typeName: ListEventsResponseSchema.typeName, events, cursor }, () => {
        printTable(s.io, ["CURSOR", "TIME (UTC)", "TYPE", "INITIATOR", "DATA"], events.map((e) => [e.cursor, tableTime(e.time), e.type, initiatorText(e), jsonText(e.data)]));
        if (cursor) s.io.stderr(`newer events: --after ${cursor}\n`);
      });
    }));
}
