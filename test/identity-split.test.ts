// The identity port across two binaries: polityd --tiers sys and polityd --tiers mod, each on its own database.
// The remote adapter a mod-only process uses asks sys's IdentityService with the caller's bearer, else with the
// mod tier's service credential (an API key of a service account holding platform.identity_resolver), and says
// clearly when it has neither, when sys refuses the key, or when sys is away.
import { Code } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountService } from "../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthzService } from "../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { IdentityService } from "../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import { createRemoteIdentity } from "../sys/core/ports/remote-identity.js";
import { refusal } from "../sys/identity/test-support.js";
import { clientFor } from "./support/clients.js";
import { type Person, signIn, signUpVerified } from "./support/people.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { startProcessServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@identity-split.example.org", password: "root password 123" };
const logger = pino({ level: "silent" });

describe("linked identities across polityd --tiers sys and --tiers mod", () => {
  let sysDb: TestDatabase, modDb: TestDatabase;
  let sys: TestServer, mod: TestServer;
  let admin: Person, alice: Person;
  let serviceApiKey: string;
  const ports: Array<{ close(): Promise<void> }> = [];
  const remote = (options: { serviceApiKey?: string; sysUrl?: string } = {}) => {
    const port = createRemoteIdentity({ sysUrl: options.sysUrl ?? sys.url, logger, serviceApiKey: options.serviceApiKey, timeoutMs: 2000 });
    ports.push(port);
    return port;
  };

  beforeAll(async () => {
    [sysDb, modDb] = await Promise.all([createTestDatabase("identity_sys"), createTestDatabase("identity_mod")]);
    sys = await startProcessServer(["--tiers", "sys"], { DATABASE_URL: sysDb.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    admin = await signIn(sys.url, ADMIN.email, ADMIN.password);
    alice = await signUpVerified(sys.url, sys.logs, "alice@identity-split.example.org");
    // The operator's mod credential: a service account of some org, given the one platform role it needs.
    const orgId = (await clientFor(OrgProjectService, sys.url, admin.token).createOrg({ slug: "operators", displayName: "Operators" })).org!.id;
    const bot = await clientFor(AccountService, sys.url, admin.token).createServiceAccount({ orgId, displayName: "mod tier", role: "guest" });
    await clientFor(AuthzService, sys.url, admin.token).grantRole({ accountId: bot.serviceAccount!.id, role: "platform.identity_resolver", resource: "platform" });
    serviceApiKey = bot.apiKeySecret;
    mod = await startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { DATABASE_URL: modDb.url, POLITY_MOD_SERVICE_API_KEY: serviceApiKey });
    await clientFor(IdentityService, sys.url, admin.token).linkIdentity({ accountId: alice.accountId, platform: "github", platformUserId: "4242", platformUsername: "alice-gh" });
  }, 120_000);

  afterAll(async () => {
    for (const port of ports) await port.close();
    await mod?.stop();
    await sys?.stop();
    await sysDb?.drop();
    await modDb?.drop();
  });

  it("resolves with the mod tier's service credential when no caller's token applies", async () => {
    const port = remote({ serviceApiKey });
    expect(await port.accountFor("github", "4242")).toEqual({ accountId: alice.accountId, platform: "github", platformUserId: "4242", platformUsername: "alice-gh", linkType: "admin", quality: "confirmed_weak" });
    expect(await port.accountFor("github", "1")).toBeUndefined();
    expect(await port.identitiesOf([alice.accountId, admin.accountId, "not-an-account"], "github")).toEqual([expect.objectContaining({ accountId: alice.accountId, platformUserId: "4242" })]);
    expect(await port.identitiesOf([], "github")).toEqual([]);
  });

  it("asks with the caller's bearer when given one: sys decides with the caller's permissions", async () => {
    const port = remote({ serviceApiKey });
    expect((await port.accountFor("github", "4242", admin.token))?.accountId).toBe(alice.accountId);
    expect(await refusal(port.accountFor("github", "4242", alice.token))).toEqual([Code.PermissionDenied, expect.any(String)]);
  });

  it("says what is missing when it has no credential, or sys refuses the one it has", async () => {
    expect(await refusal(remote().accountFor("github", "4242"))).toEqual([Code.Unavailable, "IDENTITY_CREDENTIALS_MISSING"]);
    expect(await refusal(remote({ serviceApiKey: "polity_sk_not-a-real-key-at-all" }).identitiesOf([alice.accountId], "github"))).toEqual([Code.Unavailable, "IDENTITY_CREDENTIALS_REFUSED"]);
  });

  it("fails closed with SYS_UNAVAILABLE when sys cannot be reached", async () => {
    const gone = `http://127.0.0.1:${sys.port === 1 ? 2 : 1}`;
    expect(await refusal(remote({ serviceApiKey, sysUrl: gone }).accountFor("github", "4242", admin.token))).toEqual([Code.Unavailable, "SYS_UNAVAILABLE"]);
  });

  it("serves IdentityService through the mod process's one URL, GitHub linking off until configured", async () => {
    const through = clientFor(IdentityService, mod.url, alice.token);
    expect((await through.listIdentities({ accountId: alice.accountId })).identities.map((i) => i.platformUsername)).toEqual(["alice-gh"]);
    expect(await refusal(through.startGitHubLink({}))).toEqual([Code.FailedPrecondition, "GITHUB_OAUTH_NOT_CONFIGURED"]);
  });
});
