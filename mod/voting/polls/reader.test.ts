// GetPoll reads off the ORM: on both backends its answer must equal what the ORM row gave (every field of the
// Poll message, json, arrays, nullable timestamps, the double), and the community scope must still hold.
import { equals } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BallotSecrecy, PollSchema, ResultVisibility, VotingMethod } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { rejection } from "../../../test/support/failures.js";
import { pollMessage } from "./codec.js";
import { createPollReader } from "./reader.js";
import { loadPoll } from "./store.js";
import { createFakeDirectory, type Replica, startReplica, testDatabase } from "../test-support.js";

for (const backend of ["pglite", "postgres"] as const) {
  describe(`GetPoll's reader on ${backend}`, () => {
    const directory = createFakeDirectory();
    const community = directory.addCommunity();
    const other = directory.addCommunity();
    const admin = directory.addMember(community, "admin");
    directory.addMember(community, "member");
    let replica: Replica;
    let drop: () => Promise<void>;
    const ids: string[] = [];

    beforeAll(async () => {
      const database = await testDatabase(backend, "poll_reader");
      drop = database.drop;
      replica = await startReplica(directory, database.url, database.dataDir);
      const client = replica.as(admin);
      const options = ["a", "b", "c"].map((id) => ({ id, label: `Option "${id}"`, description: `{${id}}` }));
      const polls = [
        { communityId: community, title: "Plain", method: VotingMethod.SINGLE_CHOICE, options },
        {
          communityId: community, title: "Full", body: "Long body", method: VotingMethod.APPROVAL, options, topics: ["budget", "parks"],
          quorum: { kind: { case: "percentOfEligible" as const, value: 33.5 } }, passThresholdPercent: 66.7, minSelections: 1, maxSelections: 2,
          resultVisibility: ResultVisibility.LIVE, secrecy: BallotSecrecy.PUBLIC, timeZone: "Europe/Paris", tieBreakSeed: "seed",
          opensAt: timestampFromDate(new Date(Date.now() + 3_600_000 + 123)), closesAt: timestampFromDate(new Date(Date.now() + 7_200_000 + 456)),
        },
        { communityId: community, title: "Opened", method: VotingMethod.SCHULZE, options, quorum: { kind: { case: "absolute" as const, value: 2 } }, allowDelegation: true },
      ];
      for (const poll of polls) ids.push((await client.createPoll({ poll })).poll!.id);
      await client.openPoll({ communityId: community, pollId: ids[2]! });
    }, 60_000);
    afterAll(async () => {
      await replica?.close();
      await drop?.();
    });

    it("answers exactly what the ORM row gives", async () => {
      for (const id of ids) {
        const orm = pollMessage(await loadPoll(replica.db.em(), community, id));
        const got = (await replica.as(admin).getPoll({ communityId: community, pollId: id })).poll!;
        expect(equals(PollSchema, got, orm)).toBe(true);
      }
      const full = (await replica.as(admin).getPoll({ communityId: community, pollId: ids[1]! })).poll!;
      expect(full.passThresholdPercent).toBe(66.7);
      expect(full.topics).toEqual(["budget", "parks"]);
      expect(full.opensAt!.nanos % 1_000_000_000).toBeGreaterThan(0);
    });

    it("reads concurrent polls in one batch, each to its caller", async () => {
      const read = createPollReader(replica.db);
      const rows = await Promise.all([ids[2]!, "nope", ids[0]!, crypto.randomUUID(), ids[1]!].map(read));
      expect(rows.map((r) => r?.title)).toEqual(["Opened", undefined, "Plain", undefined, "Full"]);
      expect(rows[0]!.openedAt).toBeInstanceOf(Date);
      expect(rows[0]!.quorum).toEqual({ absolute: 2 });
    });

    it("keeps a poll NOT_FOUND from another community and sees writes made just before", async () => {
      expect((await rejection(replica.as(admin).getPoll({ communityId: other, pollId: ids[0]! }))).code).toBe(Code.NotFound);
      expect((await rejection(replica.as(admin).getPoll({ communityId: community, pollId: crypto.randomUUID() }))).code).toBe(Code.NotFound);
      const before = (await replica.as(admin).getPoll({ communityId: community, pollId: ids[0]! })).poll!;
      await replica.as(admin).updatePoll({ poll: { ...before, title: "Renamed" }, updateMask: { paths: ["title"] } });
      expect((await replica.as(admin).getPoll({ communityId: community, pollId: ids[0]! })).poll!.title).toBe("Renamed");
    });
  });
}
