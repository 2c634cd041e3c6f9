// IdentityService on a full server on PostgreSQL, with GitHub played by a local fake speaking its OAuth API:
// linking through OAuth end to end (a state is single-use, expires, and is only its starter's), admin links,
// quality moving only upward, one account per platform user, unlink, merge, who may resolve, and the identity
// port of a process running sys reading what the RPCs wrote.
import { Code } from "@connectrpc/connect";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountService } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { IdentityService, LinkQuality, LinkType } from "../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import type { GitHubOAuthFake } from "../../test/fakes/github-oauth-fake.js";
import { clientFor } from "../../test/support/clients.js";
import { rejection } from "../../test/support/failures.js";
import { type Person, signIn, signUpVerified } from "../../test/support/people.js";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.js";
import { startInProcessServer, type TestServer } from "../../test/support/server.js";
import { createSysModules } from "../cmd/modules.js";
import { loadConfig } from "../core/config.js";
import { type Database, openDatabase } from "../core/db.js";
import { createInProcessIdentity } from "./index.js";
import { authorizeAtGitHub, githubEnv, linkGitHub, refusal, startGitHub } from "./test-support.js";

const ADMIN = { email: "root@identity.example.org", password: "root password 123" };

describe("IdentityService", () => {
  let database: TestDatabase;
  let server: TestServer;
  let github: GitHubOAuthFake;
  let admin: Person, alice: Person, bob: Person, carol: Person, dup: Person, ops: Person;
  const as = (who: Person) => clientFor(IdentityService, server.url, who.token);

  beforeAll(async () => {
    github = await startGitHub();
    database = await createTestDatabase("identity");
    server = await startInProcessServer({ DATABASE_URL: database.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, ...githubEnv(github) });
    admin = await signIn(server.url, ADMIN.email, ADMIN.password);
    [alice, bob, carol, dup, ops] = await Promise.all(["alice", "bob", "carol", "dup", "ops"].map((n) => signUpVerified(server.url, server.logs, `${n}@identity.example.org`)));
    await clientFor(AuthzService, server.url, admin.token).grantRole({ accountId: ops.accountId, role: "platform.ops", resource: "platform" });
    for (const login of ["alice-gh", "carol-gh", "bob-gh"]) github.addUser(login);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    await github?.close();
  });

  it("links a GitHub account through GitHub's OAuth flow, as oauth and confirmed_strong", async () => {
    github.signIn("alice-gh");
    const started = await as(alice).startGitHubLink({});
    const authorize = new URL(started.authorizeUrl);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${github.url}/login/oauth/authorize`);
    expect(authorize.searchParams.get("client_id")).toBe("Iv1.polity-test");
    expect(authorize.searchParams.get("state")).toBe(started.state);
    const { code, state } = await authorizeAtGitHub(started.authorizeUrl);
    expect(state).toBe(started.state);
    const { identity } = await as(alice).completeGitHubLink({ code, state });
    expect(identity).toMatchObject({ accountId: alice.accountId, platform: "github", platformUserId: "1001", platformUsername: "alice-gh", linkType: LinkType.OAUTH, linkQuality: LinkQuality.CONFIRMED_STRONG });
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /login/oauth/authorize", "POST /login/oauth/access_token", "GET /user"]);
    const listed = await as(alice).listIdentities({ accountId: alice.accountId });
    expect(listed.identities.map((i) => `${i.platform}:${i.platformUsername}`)).toEqual(["github:alice-gh"]);
  });

  it("accepts a state once", async () => {
    github.signIn("alice-gh");
    const { authorizeUrl } = await as(alice).startGitHubLink({});
    const first = await authorizeAtGitHub(authorizeUrl);
    await as(alice).completeGitHubLink(first);
    const second = await authorizeAtGitHub(authorizeUrl);
    expect(await refusal(as(alice).completeGitHubLink(second))).toEqual([Code.FailedPrecondition, "LINK_STATE_INVALID"]);
  });

  it("refuses another account's state without spending it", async () => {
    github.signIn("bob-gh");
    const { authorizeUrl } = await as(bob).startGitHubLink({});
    const callback = await authorizeAtGitHub(authorizeUrl);
    expect(await refusal(as(carol).completeGitHubLink(callback))).toEqual([Code.FailedPrecondition, "LINK_STATE_INVALID"]);
    const { identity } = await as(bob).completeGitHubLink(callback);
    expect(identity).toMatchObject({ accountId: bob.accountId, platformUsername: "bob-gh" });
  });

  it("refuses an expired state", async () => {
    github.signIn("carol-gh");
    const { authorizeUrl } = await as(carol).startGitHubLink({});
    const callback = await authorizeAtGitHub(authorizeUrl);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      // What githubLinkStateTtlSeconds of waiting would do.
      await client.query(`update sys.identity_link_states set expires_at = now() - interval '1 second' where account_id = $1`, [carol.accountId]);
    } finally {
      await client.end();
    }
    expect(await refusal(as(carol).completeGitHubLink(callback))).toEqual([Code.FailedPrecondition, "LINK_STATE_INVALID"]);
  });

  it("spends the state even when GitHub refuses the code", async () => {
    github.signIn("carol-gh");
    const { authorizeUrl } = await as(carol).startGitHubLink({});
    const { state } = await authorizeAtGitHub(authorizeUrl);
    expect(await refusal(as(carol).completeGitHubLink({ code: "not-a-code", state }))).toEqual([Code.InvalidArgument, "GITHUB_CODE_REJECTED"]);
    expect(await refusal(as(carol).completeGitHubLink({ code: "not-a-code", state }))).toEqual([Code.FailedPrecondition, "LINK_STATE_INVALID"]);
  });

  it("links a GitHub account to one Polity account only, naming nobody", async () => {
    const taken = await rejection(linkGitHub(server.url, carol.token, github, "alice-gh"));
    expect(taken.code).toBe(Code.AlreadyExists);
    expect(taken.rawMessage).not.toContain(alice.accountId);
    expect(taken.rawMessage).not.toContain(alice.email);
    expect(JSON.stringify(taken.metadata)).not.toContain(alice.accountId);
  });

  it("lets the superadmin link accounts, and nobody vouch for themselves", async () => {
    const { identity } = await as(admin).linkIdentity({ accountId: carol.accountId, platform: "discord", platformUserId: "80351110224678912", platformUsername: "carol#1" });
    expect(identity).toMatchObject({ linkType: LinkType.ADMIN, linkQuality: LinkQuality.CONFIRMED_WEAK });
    expect((await rejection(as(carol).linkIdentity({ accountId: carol.accountId, platform: "discord", platformUserId: "1" }))).code).toBe(Code.PermissionDenied);
    expect((await rejection(as(ops).linkIdentity({ accountId: carol.accountId, platform: "discord", platformUserId: "1" }))).code).toBe(Code.PermissionDenied);
  });

  it("only ever raises a link's quality", async () => {
    const carolGh = "1002";
    const emailed = await as(admin).linkIdentity({ accountId: carol.accountId, platform: "github", platformUserId: carolGh, platformUsername: "carol-gh", linkType: LinkType.EMAIL });
    expect(emailed.identity).toMatchObject({ linkType: LinkType.EMAIL, linkQuality: LinkQuality.UNCONFIRMED });
    const proved = await linkGitHub(server.url, carol.token, github, "carol-gh");
    expect(proved.identity).toMatchObject({ platformUserId: carolGh, linkType: LinkType.OAUTH, linkQuality: LinkQuality.CONFIRMED_STRONG });
    const again = await as(admin).linkIdentity({ accountId: carol.accountId, platform: "github", platformUserId: carolGh, linkType: LinkType.EMAIL, linkQuality: LinkQuality.UNCONFIRMED });
    expect(again.identity).toMatchObject({ platformUsername: "carol-gh", linkType: LinkType.OAUTH, linkQuality: LinkQuality.CONFIRMED_STRONG });
  });

  it("keeps the GitHub login current when its owner links again after a rename", async () => {
    github.renameUser("bob-gh", "bob-renamed");
    const { identity } = await linkGitHub(server.url, bob.token, github, "bob-renamed");
    expect(identity).toMatchObject({ accountId: bob.accountId, platformUserId: "1003", platformUsername: "bob-renamed", linkQuality: LinkQuality.CONFIRMED_STRONG });
    expect((await as(bob).listIdentities({ accountId: bob.accountId })).identities).toHaveLength(1);
  });

  it("merges a duplicate account's links into another, each keeping its quality", async () => {
    await as(admin).linkIdentity({ accountId: dup.accountId, platform: "slack", platformUserId: "U024BE7LH", linkQuality: LinkQuality.CONFIRMED_STRONG });
    await as(admin).linkIdentity({ accountId: dup.accountId, platform: "loomio", platformUserId: "77", linkType: LinkType.EMAIL });
    expect((await rejection(as(carol).mergeIdentities({ sourceAccountId: dup.accountId, targetAccountId: carol.accountId }))).code).toBe(Code.PermissionDenied);
    const merged = await as(admin).mergeIdentities({ sourceAccountId: dup.accountId, targetAccountId: carol.accountId });
    expect(merged.moved).toBe(2);
    const byPlatform = Object.fromEntries(merged.identities.map((i) => [i.platform, [i.accountId, i.linkQuality]]));
    expect(byPlatform.slack).toEqual([carol.accountId, LinkQuality.CONFIRMED_STRONG]);
    expect(byPlatform.loomio).toEqual([carol.accountId, LinkQuality.UNCONFIRMED]);
    expect((await as(admin).listIdentities({ accountId: dup.accountId })).identities).toEqual([]);
    expect((await as(admin).resolveIdentity({ platform: "slack", platformUserId: "U024BE7LH" })).identity?.accountId).toBe(carol.accountId);
    expect(await refusal(as(admin).mergeIdentities({ sourceAccountId: carol.accountId, targetAccountId: carol.accountId }))).toEqual([Code.InvalidArgument, "SAME_ACCOUNT"]);
  });

  it("lets an account unlink its own links, and nobody else's but the superadmin", async () => {
    const discord = { accountId: carol.accountId, platform: "discord", platformUserId: "80351110224678912" };
    expect((await rejection(as(bob).unlinkIdentity(discord))).code).toBe(Code.PermissionDenied);
    expect((await rejection(as(bob).listIdentities({ accountId: carol.accountId }))).code).toBe(Code.PermissionDenied);
    await as(carol).unlinkIdentity(discord);
    expect((await rejection(as(carol).unlinkIdentity(discord))).code).toBe(Code.NotFound);
    expect((await as(carol).listIdentities({ accountId: carol.accountId })).identities.map((i) => i.platform)).not.toContain("discord");
  });

  it("resolves platform users for platform roles only", async () => {
    const resolved = await as(ops).resolveIdentity({ platform: "github", platformUserId: "1001" });
    expect(resolved.identity).toMatchObject({ accountId: alice.accountId, platformUsername: "alice-gh" });
    expect((await rejection(as(alice).resolveIdentity({ platform: "github", platformUserId: "1001" }))).code).toBe(Code.PermissionDenied);
    expect((await rejection(as(ops).resolveIdentity({ platform: "github", platformUserId: "999999" }))).code).toBe(Code.NotFound);
    const looked = await as(ops).lookupIdentities({ platform: "github", accountIds: [alice.accountId, carol.accountId, dup.accountId] });
    expect(looked.identities.map((i) => i.platformUsername).sort()).toEqual(["alice-gh", "carol-gh"]);
  });

  it("drops an account's links with the account", async () => {
    const gone = await signUpVerified(server.url, server.logs, "gone@identity.example.org");
    await as(admin).linkIdentity({ accountId: gone.accountId, platform: "discourse", platformUserId: "gone" });
    await clientFor(AccountService, server.url, admin.token).deleteAccount({ accountId: gone.accountId });
    expect((await rejection(as(admin).resolveIdentity({ platform: "discourse", platformUserId: "gone" }))).code).toBe(Code.NotFound);
    // The platform user is free again.
    await as(admin).linkIdentity({ accountId: carol.accountId, platform: "discourse", platformUserId: "gone" });
  });

  it("answers the identity port of a process running sys from the same links", async () => {
    const db: Database = await openDatabase({ tier: "sys", config: loadConfig({ env: {} }), logger: pino({ level: "silent" }), entities: createSysModules().flatMap((m) => m.entities), migrations: [], url: database.url });
    try {
      const port = createInProcessIdentity(db);
      expect(await port.accountFor("github", "1001")).toEqual({ accountId: alice.accountId, platform: "github", platformUserId: "1001", platformUsername: "alice-gh", linkType: "oauth", quality: "confirmed_strong" });
      expect(await port.accountFor("github", "999999")).toBeUndefined();
      const linked = await port.identitiesOf([alice.accountId, carol.accountId, "not-an-account"], "github");
      expect(linked.map((l) => [l.accountId, l.platformUsername])).toEqual(expect.arrayContaining([[alice.accountId, "alice-gh"], [carol.accountId, "carol-gh"]]));
      expect(linked).toHaveLength(2);
    } finally {
      await db.close();
    }
  });
});
