// The admin allow-list (adminAllowedNetworks) on a real server (PostgreSQL) and through a mod process forwarding
// sys calls. Clients bind their own loopback addresses (127.0.0.2, 127.0.0.3 are as real as 127.0.0.1 on Linux),
// so each case has a true peer address: the superadmin's platform administration is refused from outside the
// list with ADMIN_NETWORK_DENIED whatever its token, while ordinary calls work; a trusted proxy's
// x-forwarded-for naming an allowed address passes, the same header from an untrusted peer does not; a mod
// process (a trusted proxy of sys) has its forwarded calls judged by its client's address.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type DescService } from "@bufbuild/protobuf";
import { Code, type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountService } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { administersPlatform, EVERY_ACCOUNT_ON_PLATFORM } from "../../sys/core/authz/admin-networks.js";
import { readRules } from "../../sys/core/authz/rules.js";
import { BASELINE_PERMISSIONS } from "../../sys/authz/roles.js";
import { clientFor } from "../support/clients.js";
import { reasonOf, rejection } from "../support/failures.js";
import { repoRoot, startPostgresServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "allow-list-root@example.org", password: "a long root password" };
const ALLOWED = "192.0.2.0/24,127.0.0.2";

interface From {
  /** The client's own address (its socket's local address). */
  from: string;
  forwardedFor?: string;
  token?: string;
}

/** A Connect client whose connections leave from `from`, optionally claiming `forwardedFor`. */
function clientAt<S extends DescService>(service: S, url: string, { from, forwardedFor, token }: From): Client<S> {
  const headers: Interceptor = (next) => (req) => {
    if (token) req.header.set("authorization", `Bearer ${token}`);
    if (forwardedFor) req.header.set("x-forwarded-for", forwardedFor);
    return next(req);
  };
  return createClient(service, createConnectTransport({ baseUrl: url, httpVersion: "1.1", nodeOptions: { localAddress: from }, interceptors: [headers] }));
}

let sys: TestServer;
let mod: TestServer;
let root: { accountId: string; token: string };
let orgId: string;

beforeAll(async () => {
  sys = await startPostgresServer("admin_allow_list", {
    POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    POLITY_ADMIN_ALLOWED_NETWORKS: ALLOWED, POLITY_TRUSTED_PROXIES: "127.0.0.1",
  });
  mod = await startPostgresServer("admin_allow_list_mod", { POLITY_TIERS: "mod", POLITY_SYS_URL: sys.url });
  const login = await clientFor(AuthService, sys.url).login(ADMIN);
  root = { accountId: login.tokens!.accountId, token: login.tokens!.accessToken };
}, 60_000);
afterAll(async () => {
  await mod?.stop();
  await sys?.stop();
});

const denied = async (call: Promise<unknown>) => {
  const error = await rejection(call);
  return [error.code, reasonOf(error)];
};
const DENIED = [Code.PermissionDenied, "ADMIN_NETWORK_DENIED"];

describe("from outside the allowed networks (127.0.0.1, no proxy vouching for anything else)", () => {
  const here = () => ({ from: "127.0.0.1", token: root.token });

  it("refuses the superadmin's platform administration, whatever the token", async () => {
    expect(await denied(clientAt(AccountService, sys.url, here()).listAccounts({}))).toEqual(DENIED);
    expect(await denied(clientAt(AuthzService, sys.url, here()).listAuditEvents({}))).toEqual(DENIED);
    expect(await denied(clientAt(AuthzService, sys.url, here()).listRoleBindings({ resource: "platform" }))).toEqual(DENIED);
    expect(await denied(clientFor(AccountService, sys.url, root.token).listAccounts({}))).toEqual(DENIED); // gRPC, over h2c
    // Refused before the token is read: a garbage or missing one gets the same answer, not UNAUTHENTICATED.
    expect(await denied(clientAt(AccountService, sys.url, { from: "127.0.0.1", token: "not-a-token" }).listAccounts({}))).toEqual(DENIED);
    expect(await denied(clientAt(AccountService, sys.url, { from: "127.0.0.1" }).listAccounts({}))).toEqual(DENIED);
  });

  it("lets ordinary calls through: one's own account, founding an org, an org's role bindings", async () => {
    const me = await clientAt(AccountService, sys.url, here()).getAccount({ accountId: root.accountId });
    expect(me.account?.id).toBe(root.accountId);
    const { org } = await clientAt(OrgProjectService, sys.url, here()).createOrg({ slug: "allow-list-org", displayName: "Allow list" });
    orgId = org!.id;
    const bindings = await clientAt(AuthzService, sys.url, here()).listRoleBindings({ resource: `org/${orgId}` });
    expect(bindings.bindings.some((b) => b.accountId === root.accountId)).toBe(true);
  });
});

describe("x-forwarded-for", () => {
  it("passes when a trusted proxy says the client is on an allowed network", async () => {
    const viaProxy = clientAt(AccountService, sys.url, { from: "127.0.0.1", forwardedFor: "192.0.2.10", token: root.token });
    expect((await viaProxy.listAccounts({})).accounts.length).toBeGreaterThan(0);
  });

  it("is not believed from a peer that is not a trusted proxy (spoofing)", async () => {
    const spoofing = clientAt(AccountService, sys.url, { from: "127.0.0.3", forwardedFor: "192.0.2.10", token: root.token });
    expect(await denied(spoofing.listAccounts({}))).toEqual(DENIED);
  });

  it("is not needed from an allowed address", async () => {
    expect((await clientAt(AccountService, sys.url, { from: "127.0.0.2", token: root.token }).listAccounts({})).accounts.length).toBeGreaterThan(0);
  });
});

describe("sys calls forwarded by a mod process (a trusted proxy of sys)", () => {
  it("are judged by the mod's client's address", async () => {
    const through = (from: string, forwardedFor?: string) => clientAt(AccountService, mod.url, { from, forwardedFor, token: root.token });
    expect((await through("127.0.0.2").listAccounts({})).accounts.length).toBeGreaterThan(0);
    expect(await denied(through("127.0.0.1").listAccounts({}))).toEqual(DENIED);
    // The mod trusts nobody: it passes the claim on with the real peer after it, which sys does not trust.
    expect(await denied(through("127.0.0.3", "192.0.2.10").listAccounts({}))).toEqual(DENIED);
    expect((await through("127.0.0.1").getAccount({ accountId: root.accountId })).account?.id).toBe(root.accountId);
  });
});

describe("which calls administer the platform", () => {
  it("are the rules with a permission on platform, declared or requested, but those every account holds there", async () => {
    expect([...EVERY_ACCOUNT_ON_PLATFORM].sort()).toEqual([...new Set([...BASELINE_PERMISSIONS.person, ...BASELINE_PERMISSIONS.service])].sort());
    const services = await allServices();
    const rules = readRules(services);
    const declared = [...rules].filter(([, rule]) => rule.rule.resource === "" && administersPlatform(rule, {})).map(([path]) => path).sort();
    expect(declared).toEqual([
      "/polity.sys.account.v1.AccountService/ListAccounts",
      "/polity.sys.authz.v1.AuthzService/ListAuditEvents",
      "/polity.sys.identity.v1.IdentityService/LookupIdentities",
      "/polity.sys.identity.v1.IdentityService/MergeIdentities",
      "/polity.sys.identity.v1.IdentityService/ResolveIdentity",
    ]);
    const requested = [...rules].filter(([, rule]) => rule.rule.resource !== "" && administersPlatform(rule, { resource: "platform" })).map(([path]) => path).sort();
    expect(requested).toEqual([
      "/polity.sys.authz.v1.AuthzService/Explain",
      "/polity.sys.authz.v1.AuthzService/GrantRole",
      "/polity.sys.authz.v1.AuthzService/ListRoleBindings",
      "/polity.sys.authz.v1.AuthzService/RevokeRole",
    ]);
    expect(administersPlatform(rules.get("/polity.sys.authz.v1.AuthzService/GrantRole")!, { resource: "org/1" })).toBe(false);
  });
});

/** Every service of the contract (the generated descriptors), sys's and the modules'. */
async function allServices(): Promise<DescService[]> {
  const root = join(repoRoot, "clients", "src", "gen", "polity");
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("_pb.ts") && !f.startsWith("options"));
  const modules = await Promise.all(files.map((f) => import(join(root, f))));
  return modules.flatMap((m) => Object.values(m as Record<string, { kind?: string }>).filter((v) => v?.kind === "service") as DescService[]);
}
