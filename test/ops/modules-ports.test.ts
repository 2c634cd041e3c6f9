// A module alone in its process still reaches the modules it depends on: `--modules governance` starts voting for
// its port only (no VotingService, no voting work) on the shared mod database, so the `polity` plugin's vote is a
// real poll that the voting process serves. Two hosts on one PostgreSQL database: A runs sys and voting, B runs
// governance alone and forwards voting's calls to A (POLITY_MODULE_URLS), so B's URL serves every call here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProcessStatus } from "../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import type { PolityClient } from "../../clients/src/core.js";
import { createPolityClient } from "../../clients/src/node.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startInProcessServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "ports-admin@example.org", password: "a long admin password" };

const logLines = (server: TestServer, msg: string) =>
  server.logs.join("").split("\n").filter((l) => l.includes(`"msg":"${msg}"`)).map((l) => JSON.parse(l) as Record<string, unknown>);
const methodsRun = (server: TestServer) => logLines(server, "rpc").map((l) => String(l.method));

describe("--modules governance beside a process serving voting", () => {
  let db: TestDatabase;
  let a: TestServer, b: TestServer;
  let admin: PolityClient;
  let communityId = "";

  beforeAll(async () => {
    db = await createTestDatabase("modules_ports");
    a = await startInProcessServer({ DATABASE_URL: db.url, POLITY_TIERS: "sys,mod", POLITY_MODULES: "voting", POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    b = await startInProcessServer({ DATABASE_URL: db.url, POLITY_TIERS: "mod", POLITY_SYS_URL: a.url, POLITY_MODULES: "governance", POLITY_MODULE_URLS: `voting=${a.url}` });
    admin = createPolityClient({ baseUrl: b.url });
    await admin.auth.login(ADMIN);
    const { org } = await admin.orgs.createOrg({ slug: "ports", displayName: "Ports" });
    const { community } = await admin.communities.createCommunity({ orgId: org!.id, slug: "quay", name: "Quay", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN });
    communityId = community!.id;
  }, 120_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await db?.drop();
  });

  it("serves governance alone, with voting started for its port", () => {
    expect(logLines(b, "mod modules")[0]).toMatchObject({ modules: ["governance"], portsOnly: ["voting"], forwarded: { voting: a.url } });
    expect(logLines(b, "polityd serving")[0]!.services).toEqual(["polity.mod.governance.v1.GovernanceService"]);
  });

  it("runs a polity.vote process whose poll the voting process serves, and closes it with the result", async () => {
    await admin.governance.enablePlugin({ communityId, plugin: "polity" });
    const closingAt = new Date(Date.now() + 3_600_000).toISOString();
    const { process } = await admin.governance.startProcess({ communityId, process: "polity.vote", input: { title: "Which crane first?", options: ["North", "South"], closing_at: closingAt } });
    const pollId = String(process?.outcome?.poll_id);
    const { poll } = await admin.voting.getPoll({ communityId, pollId });
    expect(poll?.title).toBe("Which crane first?");
    const south = poll!.options.find((o) => o.label === "South")!.id;
    await admin.voting.castBallot({ communityId, pollId, ballot: { choice: { case: "optionId", value: south } } });
    const { process: closed } = await admin.governance.closeProcess({ communityId, processId: process!.id });
    expect(closed?.status).toBe(ProcessStatus.COMPLETED);
    expect(closed?.outcome).toMatchObject({ poll_id: pollId, winners: ["South"], votes: { North: 0, South: 1 } });
    // Governance ran in B; every VotingService call was relayed to A and ran there.
    expect(methodsRun(b)).toEqual(expect.arrayContaining(["/polity.mod.governance.v1.GovernanceService/StartProcess", "/polity.mod.governance.v1.GovernanceService/CloseProcess"]));
    expect(methodsRun(b).filter((m) => m.includes("VotingService"))).toEqual([]);
    expect(methodsRun(a)).toEqual(expect.arrayContaining(["/polity.mod.voting.v1.VotingService/GetPoll", "/polity.mod.voting.v1.VotingService/CastBallot"]));
  });
});
