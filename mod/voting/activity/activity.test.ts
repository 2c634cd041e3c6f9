import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { verifyChain } from "@polity/tally";
import { ListActivityRequestSchema, WatchActivityRequestSchema } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { createNotifier, type Notifier } from "../../../sys/core/notifier.js";
import type { Database } from "../../../sys/core/db.js";
import { appendActivity } from "./append.js";
import { createActivityHandlers } from "./handlers.js";
import { chainEntryOf } from "../../../clients/src/activity-log.js";
import { callAs, memoryDirectory, modContext, openTestDb, type Backend } from "./test-support.js";

const C = "00000000-0000-4000-8000-000000000001";

for (const backend of ["pglite", "postgres"] as Backend[]) {
  describe(`activity log on ${backend}`, () => {
    let db: Database;
    let cleanup: () => Promise<void>;
    let notifier: Notifier;
    const directory = memoryDirectory();
    beforeAll(async () => {
      ({ db, cleanup } = await openTestDb(backend, "activity"));
      notifier = createNotifier(db);
    });
    afterAll(async () => {
      await notifier.close();
      await cleanup();
    });
    const handlers = () => createActivityHandlers(modContext(db, directory), notifier);
    const listAll = async () => {
      const res = await handlers().listActivity!(create(ListActivityRequestSchema, { communityId: C, pageSize: 1000 }), callAs(undefined));
      return res as { entries: Parameters<typeof chainEntryOf>[0][]; headSequence: bigint };
    };

    it("concurrent appends form one gap-free chain, and a rollback leaves no trace", async () => {
      await Promise.all(Array.from({ length: 40 }, (_, i) =>
        db.em().transactional((tx) => appendActivity(tx, { communityId: C, kind: "ballot_cast", actorId: `a${i}`, payload: { i } }))));
      await expect(db.em().transactional(async (tx) => {
        await appendActivity(tx, { communityId: C, kind: "poll_created", actorId: "x", payload: {} });
        throw new Error("rolled back");
      })).rejects.toThrow("rolled back");
      const { entries, headSequence } = await listAll();
      expect(headSequence).toBe(40n);
      expect(entries.map((e) => Number(e.sequence))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(await verifyChain(entries.map(chainEntryOf), 40)).toBeUndefined();
    });

    it("copies membership events once, with their sys sequence", async () => {
      directory.events.push(
        { sequence: 1, communityId: C, kind: "joined", accountId: "u1", actorId: "u1", role: "member", time: new Date() },
        { sequence: 2, communityId: C, kind: "left", accountId: "u1", actorId: "u1", role: "", time: new Date() });
      await Promise.all([listAll(), listAll()]);
      const { entries } = await listAll();
      const copied = entries.filter((e) => chainEntryOf(e).kind === "membership_changed").map((e) => JSON.parse(e.payload).sys_sequence);
      expect(copied).toEqual([1, 2]);
      expect(await verifyChain(entries.map(chainEntryOf), entries.length)).toBeUndefined();
    });

    it("WatchActivity streams the backlog then live entries without gaps or duplicates", async () => {
      const { headSequence } = await listAll();
      const abort = new AbortController();
      const stream = handlers().watchActivity!(create(WatchActivityRequestSchema, { communityId: C, afterSequence: 10n }), callAs(undefined, abort.signal));
      const seen: number[] = [];
      const target = Number(headSequence) + 30;
      // Appends race the backlog: some land before the watcher subscribes, some while it streams.
      const writer = (async () => {
        for (let i = 0; i < 30; i++) {
          await appendActivity(db.em(), { communityId: C, kind: "ballot_changed", actorId: "w", payload: { i } });
          if (i % 7 === 0) await new Promise((r) => setTimeout(r, 5));
        }
      })();
      for await (const msg of stream as AsyncIterable<{ entry?: { sequence: bigint } }>) {
        seen.push(Number(msg.entry!.sequence));
        if (seen.at(-1)! >= target) break;
      }
      abort.abort();
      await writer;
      expect(seen).toEqual(Array.from({ length: target - 10 }, (_, i) => i + 11));
    }, 20_000);
  });
}
