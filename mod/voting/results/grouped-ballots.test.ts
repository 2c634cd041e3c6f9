import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, toJson } from "@bufbuild/protobuf";
import pino from "pino";
import { PollResultsSchema, SetDelegationRequestSchema } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { loadConfig } from "../../../sys/core/config.js";
import { type Database, openDatabase } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { callAs, memoryDirectory, modContext } from "../activity/test-support.js";
import { createDelegationHandlers } from "../delegation/handlers.js";
import { BallotEntity, type ChoiceJson, EligibleVoterEntity, PollEntity, type PollRow } from "../entities.js";
import { type BallotGroup, forEachGroupedBallot } from "./grouped-ballots.js";
import { createVotingModule } from "../module.js";

const votingModule = createVotingModule();
import { canonical } from "../ballots/codec.js";
import { canonicalHash, computeResults, computeResultsPerBallot } from "./compute.js";
import { testDatabase } from "../test-support.js";

const C = "00000000-0000-4000-8000-0000000000c1";
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const members = Array.from({ length: 14 }, (_, i) => id(i + 1));
const m = (n: number) => members[n - 1];
const OUTSIDER = id(99); // cast a ballot but is not in the eligibility snapshot
const OPTIONS = ["a", "b", "c", "d"];
const rank = (...ids: string[]): ChoiceJson => ({ ranking: ids.map((o) => [o]) });

// Delegations: m1→m2→m3 (m3 votes: weight 3, m2 a delegate who did not vote); m4→m5 (m5 neither votes nor
// delegates); m6→m7→m8 globally and m8→m6 on "parks" (a cycle for a parks poll, nobody in it votes);
// m9→m10 with both voting (the direct vote wins); m13→m14 on "parks" only.
const delegations: Array<[number, number, string?]> = [[1, 2], [2, 3], [4, 5], [6, 7], [7, 8], [8, 6, "parks"], [9, 10], [13, 14, "parks"]];
// Who votes what: identical choices shared between plain voters and delegates, so groups mix weights.
const ranked: Array<[string, ChoiceJson]> = [
  [m(3), rank("a", "b", "c")], [m(9), rank("a", "b", "c")], [m(10), rank("b", "a")], [m(11), rank("a", "b", "c")],
  [m(12), rank("c", "d")], [m(14), rank("b", "a")], [OUTSIDER, rank("d")], [m(8), { ranking: [["a", "c"], ["b"]] }],
];

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

describe("canonicalHash", () => {
  it("hashes what canonical() prints, key order included", () => {
    const value = { b: 1, "10": [2, { z: null, a: "é\u2028\"" }], "2": true, a: "x".repeat(70_000), "01": [], c: { y: 1.5, x: -0 } };
    expect(canonicalHash(value)).toBe(sha256(canonical(value)));
    expect(canonicalHash([])).toBe(sha256("[]"));
  });
});

for (const backend of ["pglite", "postgres"] as const) {
  describe(`aggregated tally on ${backend}`, () => {
    let db: Database;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const t = await testDatabase(backend, "grouped_ballots");
      drop = t.drop;
      db = await openDatabase({
        tier: "mod", config: loadConfig({ env: { POLITY_DATA_DIR: t.dataDir } }), logger: pino({ level: "silent" }),
        entities: votingModule.entities, migrations: votingModule.migrations, url: t.url,
      });
      await db.migrate();
      const directory = memoryDirectory();
      directory.members.set(C, members.map((accountId) => ({ accountId, role: "member" as const })));
      const h = createDelegationHandlers(modContext(db, directory));
      for (const [from, to, topic = ""] of delegations)
        await h.setDelegation!(create(SetDelegationRequestSchema, { communityId: C, delegateId: m(to), topic }), callAs(m(from)));
    });
    afterAll(async () => {
      await db?.close();
      await drop?.();
    });

    let polls = 0;
    async function poll(method: string, opts: { topics?: string[]; allowDelegation?: boolean; ballots: Array<[string, ChoiceJson]> }): Promise<PollRow> {
      const pollId = id(1000 + ++polls);
      const now = new Date("2026-11-22T00:00:00Z");
      const em = db.em();
      em.create(PollEntity, {
        id: pollId, communityId: C, title: "T", body: "", options: OPTIONS.map((o) => ({ id: o, label: o, description: "" })),
        method, topics: opts.topics ?? [], opensAt: null, closesAt: null, timeZone: "UTC", eligibleRoles: ["member"],
        quorum: { absolute: 5 }, passThresholdPercent: 0, seats: method === "stv" ? 2 : 1, minSelections: 0, maxSelections: 0,
        maxScore: method === "score" ? 5 : 0, resultVisibility: "after_close", secrecy: "secret", tieBreakSeed: "seed",
        allowDelegation: opts.allowDelegation ?? true, state: "open", openedAt: now, closedAt: null, snapshotAt: now,
        eligibleCount: members.length, createdBy: C, createdAt: now, updatedAt: now, version: 1,
      } as never);
      await em.flush();
      for (const account of members)
        await query(em, `insert into ${tableOf(em, EligibleVoterEntity)} (poll_id, account_id, role) values (?, ?, 'member')`, [pollId, account]);
      for (const [voter, choice] of opts.ballots)
        await query(em, `insert into ${tableOf(em, BallotEntity)} (poll_id, voter_id, choice, cast_at, updated_at) values (?, ?, ?, ?, ?)`,
          [pollId, voter, JSON.stringify(choice), now, now]);
      return (await db.em().findOneOrFail(PollEntity, { id: pollId })) as PollRow;
    }

    async function same(row: PollRow) {
      const now = new Date("2026-11-23T00:00:00Z");
      const [grouped, reference] = [await computeResults(db.em(), row, true, now), await computeResultsPerBallot(db.em(), row, true, now)];
      expect(toJson(PollResultsSchema, grouped)).toEqual(toJson(PollResultsSchema, reference));
      expect(grouped.resultHash).toBe(reference.resultHash);
      const json = toJson(PollResultsSchema, { ...grouped, resultHash: "" } as typeof grouped);
      expect(grouped.resultHash).toBe(sha256(canonical(json)));
      return grouped;
    }

    it("gives the per-ballot PollResults for ranked methods with chains, cycles and delegates who did not vote", async () => {
      for (const method of ["schulze", "irv", "stv"]) {
        const global = await same(await poll(method, { ballots: ranked }));
        expect(global.delegatedWeight).toBeGreaterThan(0);
        expect(global.countedWeight).toBe(global.ballots + global.delegatedWeight);
        expect(global.weightFlows.find((f) => f.voterId === m(1))).toMatchObject({ countedWith: m(3), chain: [m(2), m(3)] });
        const parks = await same(await poll(method, { topics: ["parks"], ballots: ranked.filter(([v]) => v !== m(8)) }));
        expect(parks.weightFlows.filter((f) => f.outcome === "lost_in_cycle").map((f) => f.voterId).sort()).toEqual([m(6), m(7), m(8)].sort());
        expect(parks.lostWeight).toBeGreaterThan(0);
        await same(await poll(method, { allowDelegation: false, ballots: ranked }));
      }
    });

    it("gives the per-ballot PollResults for plurality, approval, score and proposal", async () => {
      const voters = [m(3), m(9), m(10), m(11), m(12), m(14), OUTSIDER];
      const each = (f: (i: number) => ChoiceJson) => voters.map((v, i) => [v, f(i)] as [string, ChoiceJson]);
      await same(await poll("plurality", { topics: ["parks"], ballots: each((i) => ({ optionId: OPTIONS[i % 2] })) }));
      await same(await poll("approval", { ballots: each((i) => ({ approval: OPTIONS.slice(0, 1 + (i % 3)) })) }));
      await same(await poll("score", { ballots: each((i) => ({ scores: { a: i % 3, b: 2, c: 5 - (i % 2) } })) }));
      await same(await poll("proposal", { ballots: each((i) => ({ proposal: i % 3 ? "agree" : "disagree" })) }));
      const empty = await same(await poll("schulze", { ballots: [] }));
      expect(empty.ballots).toBe(0);
    });

    it("groups identical choices with their summed weight, across cursor pages", async () => {
      const row = await poll("schulze", { ballots: ranked });
      const weights = new Map([[m(3), 3], [m(10), 1], [m(8), 2]]);
      const read = async (page?: number) => {
        const groups: BallotGroup[] = [];
        await forEachGroupedBallot(db.em(), row.id, weights, (g) => groups.push(g), page);
        return groups.sort((x, y) => JSON.stringify(x.choice).localeCompare(JSON.stringify(y.choice)));
      };
      const all = await read();
      expect(await read(2)).toEqual(all);
      expect(all.length).toBe(5);
      expect(all.find((g) => JSON.stringify(g.choice) === JSON.stringify(rank("a", "b", "c")))).toMatchObject({ ballots: 3, weight: 5 });
      expect(all.reduce((s, g) => s + g.ballots, 0)).toBe(ranked.length);
    });
  });
}
