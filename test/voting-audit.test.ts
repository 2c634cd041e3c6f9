// `polity audit` end to end: a real server on PostgreSQL, a public community, a public Schulze poll and a
// public STV poll with liquid delegation (a cross-scope cycle among them), votes changed and retracted,
// delegations revoked and created after close; the real CLI recounts both polls from the log alone and
// verifies them (exit 0). Their results come after close, so while they are open an anonymous reader of the
// log sees who voted and no choice; the choices are revealed in the log when each poll closes. Then the
// revealed choice of one ballot is altered in the database: the CLI exits 1 naming the row.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@connectrpc/connect";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService } from "../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { CommunityService } from "../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { ActivityKind, BallotSecrecy, ResultVisibility, VotingMethod, VotingService } from "../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { clientFor } from "./support/clients.js";
import { createOpenCommunity } from "./support/communities.js";
import { type Person, signUpVerified } from "./support/people.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { runPolity } from "./support/cli.js";
import { startInProcessServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };

interface AuditJson {
  ok: boolean;
  chain_ok: boolean;
  broken?: { sequence: number; problem: string };
  polls: Array<{ pollId: string; status: string; detail: string; winners?: string[] }>;
}

const ranking = (...ids: string[]) => ({ choice: { case: "ranking" as const, value: { ranks: ids.map((id) => ({ optionIds: [id] })) } } });

describe("polity audit recounts public polls from the activity log (PostgreSQL)", () => {
  let database: TestDatabase;
  let server: TestServer;
  let home: string;
  let communityId = "";
  const polls: Record<string, string> = {};
  const published: Record<string, string[]> = {};
  const people: Person[] = [];
  let admin: Person;
  const voting = (p: Person): Client<typeof VotingService> => clientFor(VotingService, server.url, p.token);

  const audit = (token: string) =>
    runPolity(["--server", server.url, "--json", "audit", communityId], { XDG_CONFIG_HOME: join(home, "config"), HOME: home, POLITY_API_KEY: "", POLITY_TOKEN: token });

  beforeAll(async () => {
    database = await createTestDatabase("voting_audit");
    server = await startInProcessServer({ DATABASE_URL: database.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    home = mkdtempSync(join(tmpdir(), "polity-audit-"));
    const adminToken = (await clientFor(AuthService, server.url).login(ADMIN)).tokens!;
    admin = { accountId: adminToken.accountId, email: ADMIN.email, token: adminToken.accessToken };
    ({ communityId } = await createOpenCommunity(server.url, admin.token, { orgSlug: "audit-coop", slug: "parks-council", name: "Parks council" }));
    for (const name of ["ann", "ben", "cat", "dan", "eve", "fay", "gus", "hal"]) {
      const person = await signUpVerified(server.url, server.logs, `${name}@example.org`);
      await clientFor(CommunityService, server.url, person.token).joinCommunity({ communityId });
      people.push(person);
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("verifies every public poll, delegations and all, then names the sequence of a tampered row", async () => {
    const [ann, ben, cat, dan, eve, fay, gus, hal] = people;
    const owner = admin; // creates, opens and closes the polls
    const delegate = (from: Person, to: Person, topic = "") => voting(from).setDelegation({ communityId, delegateId: to.accountId, topic });
    // A cross-scope cycle for "parks" polls: ben → cat globally, cat → ben on "parks" (neither votes: both lost).
    await delegate(ben, cat);
    await delegate(cat, ben, "parks");
    await delegate(dan, eve); // eve votes: dan's weight reaches her
    await delegate(fay, gus, "parks"); // gus does not vote but delegates on to eve: fay and gus reach eve
    await delegate(gus, eve);
    await delegate(hal, dan); // hal votes directly: the delegation is ignored
    await delegate(ann, hal, "parks");
    await voting(ann).revokeDelegation({ communityId, topic: "parks" }); // revoked before close: ann votes anyway

    const create = async (key: string, method: VotingMethod, options: string[], seats = 1) => {
      const { poll } = await voting(owner).createPoll({ poll: {
        communityId, title: `${key} poll`, method, seats, topics: ["parks"], allowDelegation: true,
        secrecy: BallotSecrecy.PUBLIC, resultVisibility: ResultVisibility.AFTER_CLOSE, tieBreakSeed: `seed-${key}`,
        options: options.map((id) => ({ id, label: id.toUpperCase() })),
      } });
      polls[key] = poll!.id;
      await voting(owner).openPoll({ communityId, pollId: poll!.id });
      return poll!.id;
    };
    const schulze = await create("schulze", VotingMethod.SCHULZE, ["a", "b", "c", "d"]);
    const stv = await create("stv", VotingMethod.STV, ["w", "x", "y", "z"], 2);

    const cast = (p: Person, pollId: string, ...ids: string[]) => voting(p).castBallot({ communityId, pollId, ballot: ranking(...ids) });
    await cast(eve, schulze, "b", "c", "a", "d");
    await cast(hal, schulze, "a", "c", "b", "d");
    await cast(ann, schulze, "c", "a", "b", "d");
    await cast(ann, schulze, "a", "b", "c", "d"); // changed
    await cast(dan, schulze, "d", "c", "b", "a");
    await voting(dan).retractBallot({ communityId, pollId: schulze }); // retracted: dan's weight goes to eve again
    await cast(eve, stv, "x", "y", "w", "z");
    await cast(hal, stv, "w", "x", "z", "y");
    await cast(ann, stv, "z", "w", "x", "y");
    await cast(dan, stv, "y", "z", "w", "x");

    // Anyone may read a public community's log: while the polls are open it shows no choice.
    const anonymousLog = async () => (await clientFor(VotingService, server.url).listActivity({ communityId, pageSize: 1000 })).entries;
    const ballotKinds = [ActivityKind.BALLOT_CAST, ActivityKind.BALLOT_CHANGED];
    const whileOpen = (await anonymousLog()).filter((e) => ballotKinds.includes(e.kind));
    expect(whileOpen).toHaveLength(9);
    for (const e of whileOpen) expect(JSON.parse(e.payload)).not.toHaveProperty("choice");
    expect((await anonymousLog()).some((e) => e.kind === ActivityKind.BALLOTS_REVEALED)).toBe(false);

    for (const [key, pollId] of Object.entries(polls)) {
      const { results } = await voting(owner).closePoll({ communityId, pollId });
      published[key] = results!.winners;
      expect(results!.lostWeight, key).toBe(2); // ben and cat, caught in the cross-scope cycle
      expect(results!.delegatedWeight, key).toBeGreaterThan(0);
    }
    expect(published.stv).toHaveLength(2);
    // A delegation after close changes nothing that was counted.
    await delegate(eve, ann);

    const adminToken = (await clientFor(AuthService, server.url).login(ADMIN)).tokens!.accessToken;
    const good = await audit(adminToken);
    expect(good.code, good.stderr + good.stdout).toBe(0);
    const report = JSON.parse(good.stdout) as AuditJson;
    expect(report.ok).toBe(true);
    expect(report.chain_ok).toBe(true);
    expect(report.polls.map((p) => [p.pollId, p.status, p.winners])).toEqual(expect.arrayContaining([
      [polls.schulze, "verified", published.schulze],
      [polls.stv, "verified", published.stv],
    ]));
    expect(report.polls).toHaveLength(2);

    // Someone with database access rewrites hal's revealed Schulze ballot in the log.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ sequence: string; payload: string }>(
        "select sequence, payload from mod.activity_entries where community_id = $1 and poll_id = $2 and kind = 'ballots_revealed'",
        [communityId, schulze]);
      expect(rows).toHaveLength(1);
      const revealed = JSON.parse(rows[0].payload) as { ballots: Array<{ voter_id: string; choice: unknown }> };
      expect(revealed.ballots.map((b) => b.voter_id).sort()).toEqual([ann, eve, hal].map((p) => p.accountId).sort());
      const forged = JSON.stringify({ ballots: revealed.ballots.map((b) => (b.voter_id === hal.accountId ? { ...b, choice: { ranking: [["d"], ["c"], ["b"], ["a"]] } } : b)) });
      await client.query("update mod.activity_entries set payload = $1 where community_id = $2 and sequence = $3", [forged, communityId, rows[0].sequence]);
      const bad = await audit(adminToken);
      expect(bad.code, bad.stderr).toBe(1);
      const broken = JSON.parse(bad.stdout) as AuditJson;
      expect(broken.ok).toBe(false);
      expect(broken.chain_ok).toBe(false);
      expect(broken.broken?.sequence).toBe(Number(rows[0].sequence));
    } finally {
      await client.end();
    }
  }, 120_000);
});
