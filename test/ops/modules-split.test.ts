// One module per binary behind one URL: `polityd --tiers sys`, `polityd --tiers mod,worker --modules voting` and
// `polityd --tiers mod,worker --modules disco` on PostgreSQL (one mod database), reached two ways — through the
// voting process alone, which forwards sys's calls to sys and disco's to the disco process (POLITY_MODULE_URLS),
// and through nginx running the shipped gateway config (skipped where nginx is not installed). Through each URL:
// a community, a poll, a vote and its results (served by the voting process), a listing, a survey and a search
// (served by the disco process), each call found in the call log of the process that served it and of no other;
// a module that no process serves is UNIMPLEMENTED; a misspelt module stops polityd with one line.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { DescService } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiscoService } from "../../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { DiscoveryService, ResultKind } from "../../clients/src/gen/polity/mod/disco/v1/discovery_pb.js";
import { SurveyService, SurveyStatus } from "../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { GovernanceService } from "../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { MessageService } from "../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { Verdict, VotingMethod, VotingService } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { CommunityService, JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { hasNginx, type RunningNginx, startGateway } from "../support/nginx.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { repoRoot, startProcessServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const DISCO_SERVICES = ["DiscoService", "SurveyService", "AnswerService", "DiscoveryService", "StatisticsService", "CampaignService"].map((s) => `polity.mod.disco.v1.${s}`);

/** The JSON log lines of a process with this message. */
const logLines = (server: TestServer, msg: string) =>
  server.logs.join("").split("\n").filter((l) => l.includes(`"msg":"${msg}"`)).map((l) => JSON.parse(l) as Record<string, unknown>);

/** Which processes logged a call with this request id (the call log of the process whose pipeline ran it). */
const loggedBy = (servers: Record<string, TestServer>, requestId: string) =>
  Object.entries(servers).filter(([, s]) => logLines(s, "rpc").some((l) => l.request_id === requestId)).map(([name]) => name);
/** The processes whose call log holds `requestId`: a line may reach the pipe a moment after its answer. */
async function servedBy(servers: Record<string, TestServer>, requestId: string): Promise<string[]> {
  const deadline = Date.now() + 5000;
  while (loggedBy(servers, requestId).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return loggedBy(servers, requestId);
}

describe("one module per binary: sys, voting and disco processes behind one URL", () => {
  let sysDb: TestDatabase, modDb: TestDatabase;
  let sys: TestServer, voting: TestServer, disco: TestServer;
  let gateway: RunningNginx | undefined;
  let token = "";

  beforeAll(async () => {
    [sysDb, modDb] = await Promise.all([createTestDatabase("modsplit_sys"), createTestDatabase("modsplit_mod")]);
    sys = await startProcessServer(["--tiers", "sys"], { DATABASE_URL: sysDb.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, POLITY_TRUSTED_PROXIES: "127.0.0.1" });
    const mod = (modules: string, env: Record<string, string> = {}) =>
      startProcessServer(["--tiers", "mod,worker", "--modules", modules, "--sys-url", sys.url], { DATABASE_URL: modDb.url, POLITY_TRUSTED_PROXIES: "127.0.0.1", ...env });
    // disco first: the voting process is told where it runs.
    disco = await mod("disco");
    voting = await mod("voting", { POLITY_MODULE_URLS: `disco=${disco.url}` });
    if (hasNginx) {
      // The voting process also stands for the general mod pool: it answers health, the web GUI and the modules nobody serves.
      gateway = await startGateway({
        "sys.internal:8081": [sys.port], "mod-a.internal:8080": [voting.port], "mod-b.internal:8080": [],
        "mod-voting.internal:8080": [voting.port], "mod-disco.internal:8080": [disco.port],
      });
    }
    token = (await createClient(AuthService, createConnectTransport({ baseUrl: sys.url, httpVersion: "1.1" })).login(ADMIN)).tokens!.accessToken;
  }, 180_000);

  afterAll(async () => {
    await gateway?.stop();
    await voting?.stop();
    await disco?.stop();
    await sys?.stop();
    await Promise.all([sysDb?.drop(), modDb?.drop()]);
  });

  it("each mod process serves its own module's services and says which modules it runs and forwards", () => {
    expect(logLines(voting, "polityd serving")[0]!.services).toEqual(["polity.mod.voting.v1.VotingService"]);
    expect(logLines(disco, "polityd serving")[0]!.services).toEqual(DISCO_SERVICES);
    expect(logLines(voting, "mod modules")[0]).toMatchObject({ modules: ["voting"], portsOnly: [], forwarded: { disco: disco.url } });
    expect(logLines(disco, "mod modules")[0]).toMatchObject({ modules: ["disco"], portsOnly: [], forwarded: {} });
  });

  const fronts: Array<[string, () => { url: string; ca?: Buffer }]> = [
    ["the voting process, forwarding", () => ({ url: voting.url })],
    ...(hasNginx ? [["nginx with the shipped config", () => ({ url: gateway!.url, ca: gateway!.ca })] as [string, () => { url: string; ca?: Buffer }]] : []),
  ];

  describe.each(fronts)("through %s", (name, front) => {
    const tag = name.startsWith("nginx") ? "nginx" : "fwd";
    const servers = () => ({ sys, voting, disco });
    // Every call carries a request id of its own, so the call log of the process that ran it can be found.
    const transport = (protocol: "connect" | "grpc"): Transport => {
      const { url, ca } = front();
      const nodeOptions = ca ? { ca } : undefined;
      return protocol === "grpc" ? createGrpcTransport({ baseUrl: url, nodeOptions }) : createConnectTransport({ baseUrl: url, httpVersion: "1.1", nodeOptions });
    };
    const client = <S extends DescService>(service: S, protocol: "connect" | "grpc" = "connect"): Client<S> => createClient(service, transport(protocol));
    const as = (requestId: string) => ({ headers: { authorization: `Bearer ${token}`, "x-request-id": `${tag}-${requestId}` } });
    const ranAt = (requestId: string) => servedBy(servers(), `${tag}-${requestId}`);

    it("creates a community, a poll, a vote and its results: sys and the voting process serve them", async () => {
      const { org } = await client(OrgProjectService).createOrg({ slug: `${tag}-votes`, displayName: "Votes" }, as("org"));
      const { community } = await client(CommunityService).createCommunity({ orgId: org!.id, slug: `${tag}-harbour`, name: "Harbour", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN }, as("community"));
      const communityId = community!.id;
      const polls = client(VotingService, "grpc");
      const { poll } = await polls.createPoll({ poll: { communityId, title: "Where do we meet?", method: VotingMethod.SINGLE_CHOICE, options: [{ id: "pier", label: "Pier" }, { id: "hall", label: "Hall" }] } }, as("create-poll"));
      const pollId = poll!.id;
      await polls.openPoll({ communityId, pollId }, as("open-poll"));
      await polls.castBallot({ communityId, pollId, ballot: { choice: { case: "optionId", value: "hall" } } }, as("cast"));
      await polls.closePoll({ communityId, pollId }, as("close-poll"));
      const { results } = await client(VotingService).getResults({ communityId, pollId }, as("results"));
      expect([results!.final, results!.ballots, results!.winners, results!.verdict]).toEqual([true, 1, ["hall"], Verdict.ELECTED]);

      for (const id of ["org", "community"]) expect(await ranAt(id), id).toEqual(["sys"]);
      for (const id of ["create-poll", "open-poll", "cast", "close-poll", "results"]) expect(await ranAt(id), id).toEqual(["voting"]);
    });

    it("creates a listing and a survey and finds them by search: the disco process serves them", async () => {
      const { org } = await client(OrgProjectService).createOrg({ slug: `${tag}-menders`, displayName: "Menders" }, as("disco-org"));
      const { project } = await client(OrgProjectService).createProject({ orgId: org!.id, slug: "nets", displayName: "Nets" }, as("project"));
      const { listing } = await client(DiscoService, "grpc").createListing({ orgId: org!.id, title: `Net menders ${tag}`, summary: "We mend fishing nets together" }, as("listing"));
      const { survey } = await client(SurveyService).createSurvey({ projectId: project!.id, title: "What can you mend?", status: SurveyStatus.OPEN, questions: { supplyQuestions: [{ name: "Mending", unit: "hours" }] } }, as("survey"));
      expect(survey!.orgId).toBe(org!.id);
      const { results } = await client(DiscoveryService).search({ query: `menders ${tag}`, kinds: [ResultKind.ORG] }, as("search"));
      expect(results.map((r) => r.title)).toEqual([listing!.title]);

      for (const id of ["disco-org", "project"]) expect(await ranAt(id), id).toEqual(["sys"]);
      for (const id of ["listing", "survey", "search"]) expect(await ranAt(id), id).toEqual(["disco"]);
    });

    it("answers UNIMPLEMENTED for a module that no process serves, on Connect and gRPC", async () => {
      for (const call of [
        () => client(GovernanceService).listProcesses({ communityId: crypto.randomUUID() }, as("governance")),
        () => client(MessageService, "grpc").listMessages({ orgId: crypto.randomUUID() }, as("messaging")),
      ]) {
        const error = await call().then(() => undefined, (e: unknown) => ConnectError.from(e));
        expect(error?.code).toBe(Code.Unimplemented);
      }
    });
  });

  it("stops at start-up, naming the valid modules, when --modules names one that does not exist", () => {
    const run = spawnSync(join(repoRoot, "bin", "polityd"), ["--tiers", "mod", "--modules", "voting,polls", "--sys-url", sys.url, "--port", "0"], {
      cwd: repoRoot, env: { ...process.env, DATABASE_URL: modDb.url, LOG_LEVEL: "silent" }, encoding: "utf8", timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('polityd: invalid configuration:\n  modules (POLITY_MODULES, --modules): unknown module "polls"; the modules are disco, voting, governance, contributions, messaging');
  });
});
