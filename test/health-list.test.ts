// Health.List (what the admin console's health page shows) names every service of every tier the deployment
// runs: all of them in one process; on a mod-only process mod's own plus its sys's, asked from sys, and those
// NOT_SERVING while sys is down. Check stays each process's own (what load balancers probe). Real servers on
// PostgreSQL, sys and mod in processes of their own.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Serving } from "../clients/src/gen/grpc/health/v1/health_pb.js";
import { clientFor } from "./support/clients.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { startPostgresServer, startProcessServer, type TestServer } from "./support/server.js";

// Written out rather than read from the server, so a service missing from the list fails here.
const SYS = [
  "polity.sys.auth.v1.AuthService",
  "polity.sys.account.v1.AccountService",
  "polity.sys.account.v1.OrgProjectService",
  "polity.sys.authz.v1.AuthzService",
  "polity.sys.community.v1.CommunityService",
  "polity.sys.identity.v1.IdentityService",
  "polity.sys.timespace.v1.TimeService",
  "polity.sys.timespace.v1.PlaceService",
];
const MESSAGING = ["ContactService", "ProviderService", "MessageService", "TemplateService", "BlastService", "NotificationService"].map((s) => `polity.mod.messaging.v1.${s}`);
const DISCO = ["DiscoService", "SurveyService", "AnswerService", "CampaignService", "DiscoveryService", "StatisticsService"].map((s) => `polity.mod.disco.v1.${s}`);
const MOD = ["polity.mod.voting.v1.VotingService", ...DISCO, "polity.mod.governance.v1.GovernanceService", "polity.mod.contributions.v1.ContributionsService", ...MESSAGING];

const listed = async (url: string) => {
  const { statuses } = await clientFor(Health, url).list({});
  return Object.fromEntries(Object.entries(statuses).map(([name, r]) => [name, Serving[r.status]]));
};
const serving = (names: string[]) => Object.fromEntries(names.map((n) => [n, "SERVING"]));

describe("Health.List names every service of the deployment", () => {
  it("lists sys and mod services in one process", async () => {
    const server = await startPostgresServer("health_list_one");
    try {
      expect(await listed(server.url)).toEqual({ "": "SERVING", ...serving(SYS), ...serving(MOD) });
    } finally {
      await server.stop();
    }
  }, 60_000);

  describe("split mode, through the mod URL", () => {
    let sysDb: TestDatabase, modDb: TestDatabase;
    let sys: TestServer, mod: TestServer;
    let sysStopped = false;

    beforeAll(async () => {
      [sysDb, modDb] = await Promise.all([createTestDatabase("health_list_sys"), createTestDatabase("health_list_mod")]);
      sys = await startProcessServer(["--tiers", "sys"], { DATABASE_URL: sysDb.url });
      mod = await startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { DATABASE_URL: modDb.url });
    }, 120_000);
    afterAll(async () => {
      await mod?.stop();
      if (!sysStopped) await sys?.stop();
      await Promise.all([sysDb?.drop(), modDb?.drop()]);
    });

    it("lists mod's services and its sys's; sys lists only its own", async () => {
      expect(await listed(mod.url)).toEqual({ "": "SERVING", ...serving(SYS), ...serving(MOD) });
      expect(await listed(sys.url)).toEqual({ "": "SERVING", ...serving(SYS) });
    });

    it("keeps Check mod's own", async () => {
      expect((await clientFor(Health, mod.url).check({ service: MOD[0] })).status).toBe(Serving.SERVING);
      const unknown = await clientFor(Health, mod.url).check({ service: SYS[0] }).then(() => undefined, (e: unknown) => ConnectError.from(e));
      expect(unknown?.code).toBe(Code.NotFound);
    });

    it("still names sys's services, NOT_SERVING, while sys is down", async () => {
      await sys.stop();
      sysStopped = true;
      const down = Object.fromEntries([...SYS, ...MOD].map((n) => [n, "NOT_SERVING"]));
      const deadline = Date.now() + 10_000;
      let seen: Record<string, string> = {};
      // Mod's own health turns first; sys's part is one answer reused for a second, so it may follow a little later.
      while (Date.now() < deadline) {
        seen = await listed(mod.url);
        if (Object.values(seen).every((s) => s === "NOT_SERVING")) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(seen).toEqual({ "": "NOT_SERVING", ...down });
    }, 30_000);
  });
});
