// Communities through the whole host on a real port: anonymous reads of public communities (and refusals of
// members-only ones) through the guard's allow_anonymous path, the remote authorization port asking about the
// anonymous principal, and the remote directory against a real server.
import { Code, ConnectError } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { CommunityService, JoinPolicy, MemberRole, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { clientFor } from "../../test/support/clients.js";
import { type Person, signIn, signUpVerified } from "../../test/support/people.js";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.js";
import { startInProcessServer, type TestServer } from "../../test/support/server.js";
import { reasonOf } from "../core/errors.js";
import { createRemoteAuthorization } from "../core/ports/remote-authorization.js";
import { createRemoteDirectory } from "../core/ports/remote-directory.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const logger = pino({ level: "silent" });

async function failure(promise: Promise<unknown>): Promise<[Code, string | undefined]> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ConnectError)) throw new Error(`expected a ConnectError, got ${String(error)}`);
  return [error.code, reasonOf(error)];
}

for (const backend of ["pglite", "postgres"] as const) {
  describe(`communities through a full server on ${backend}`, () => {
    let server: TestServer;
    let database: TestDatabase | undefined;
    let admin: Person, member: Person, outsider: Person;
    let pub: string, priv: string;

    beforeAll(async () => {
      database = backend === "postgres" ? await createTestDatabase("community_server") : undefined;
      server = await startInProcessServer({
        POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        ...(database ? { DATABASE_URL: database.url } : {}),
      });
      admin = await signIn(server.url, ADMIN.email, ADMIN.password);
      member = await signUpVerified(server.url, server.logs, "member@example.org");
      outsider = await signUpVerified(server.url, server.logs, "outsider@example.org");
      const { org } = await clientFor(OrgProjectService, server.url, admin.token).createOrg({ slug: "guild", displayName: "Guild" });
      const communities = clientFor(CommunityService, server.url, admin.token);
      const make = async (slug: string, visibility: Visibility) =>
        (await communities.createCommunity({ orgId: org!.id, slug, name: slug, visibility, joinPolicy: JoinPolicy.OPEN })).community!.id;
      pub = await make("open-town", Visibility.PUBLIC);
      priv = await make("inner-circle", Visibility.MEMBERS_ONLY);
      await clientFor(CommunityService, server.url, member.token).joinCommunity({ communityId: priv });
    });
    afterAll(async () => {
      await server?.stop();
      await database?.drop();
    });

    it("lets anonymous callers read a public community, its members and events — and nothing more", async () => {
      const anonymous = clientFor(CommunityService, server.url);
      expect((await anonymous.getCommunity({ communityId: pub })).community!.slug).toBe("open-town");
      const members = (await anonymous.listMembers({ communityId: pub })).members;
      expect(members.map((m) => [m.displayName, m.role])).toEqual([["Administrator", MemberRole.ADMIN]]);
      expect(JSON.stringify(members, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain("@");
      expect((await anonymous.listMembershipEvents({ communityId: pub })).events).toHaveLength(1);
      expect((await anonymous.listCommunities({})).communities.map((c) => c.slug)).toEqual(["open-town"]);

      expect(await failure(anonymous.getCommunity({ communityId: priv }))).toEqual([Code.Unauthenticated, "MISSING_CREDENTIALS"]);
      expect(await failure(anonymous.listMembers({ communityId: priv }))).toEqual([Code.Unauthenticated, "MISSING_CREDENTIALS"]);
      expect(await failure(anonymous.joinCommunity({ communityId: pub }))).toEqual([Code.Unauthenticated, "MISSING_CREDENTIALS"]);
      expect(await failure(anonymous.listJoinRequests({ communityId: pub }))).toEqual([Code.Unauthenticated, "MISSING_CREDENTIALS"]);
    });

    it("shows members-only communities to their members only", async () => {
      expect(await failure(clientFor(CommunityService, server.url, outsider.token).getCommunity({ communityId: priv }))).toEqual([Code.PermissionDenied, "NO_ROLE"]);
      expect((await clientFor(CommunityService, server.url, member.token).getCommunity({ communityId: priv })).community!.slug).toBe("inner-circle");
      const slugs = (token: string) => clientFor(CommunityService, server.url, token).listCommunities({}).then((r) => r.communities.map((c) => c.slug));
      expect(await slugs(member.token)).toEqual(["open-town", "inner-circle"]);
      expect(await slugs(outsider.token)).toEqual(["open-town"]);
    });

    it("answers Check about the anonymous principal without a token, and only about it", async () => {
      const anonymous = clientFor(AuthzService, server.url);
      const ask = (principalId: string, resource: string) => anonymous.check({ question: { principalId, permission: "community.read", resource } });
      expect((await ask("", `community/${pub}`)).decision).toMatchObject({ allowed: true, reason: "public" });
      expect((await ask("", `community/${priv}`)).decision).toMatchObject({ allowed: false, reason: "unauthenticated" });
      expect(await failure(ask(member.accountId, `community/${priv}`))).toEqual([Code.PermissionDenied, "CHECK_OTHERS_DENIED"]);

      const port = createRemoteAuthorization({ sysUrl: server.url, ttlMs: 0, logger });
      try {
        expect(await port.check({ principalId: "", permission: "community.member.read", resource: `community/${pub}` })).toMatchObject({ allowed: true, reason: "public" });
        expect(await port.check({ principalId: "", permission: "voting.ballot.cast", resource: `community/${pub}` })).toMatchObject({ allowed: false, reason: "unauthenticated" });
        expect(await port.check({ principalId: "", permission: "community.read", resource: `community/${priv}` })).toMatchObject({ allowed: false });
      } finally {
        await port.close?.();
      }
    });

    it("serves the remote directory with the caller's own permissions", async () => {
      const directory = createRemoteDirectory({ sysUrl: server.url, logger });
      try {
        expect(await directory.getCommunity(pub)).toMatchObject({ id: pub, visibility: "public", archived: false });
        expect(await directory.getCommunity(priv)).toBeUndefined();
        expect(await directory.getCommunity(priv, outsider.token)).toBeUndefined();
        expect(await directory.getCommunity(priv, `Bearer ${member.token}`)).toMatchObject({ id: priv, visibility: "members_only" });
        expect(await directory.getCommunity(crypto.randomUUID(), admin.token)).toBeUndefined();
        expect(await directory.listMembers(priv, [], member.token)).toEqual([
          { accountId: admin.accountId, role: "admin" },
          { accountId: member.accountId, role: "member" },
        ]);
        expect(await directory.listMembers(priv, ["admin"], member.token)).toEqual([{ accountId: admin.accountId, role: "admin" }]);
        const events = await directory.membershipEvents(priv, 0, 10, member.token);
        expect(events.map((e) => [e.sequence, e.kind, e.accountId, e.role])).toEqual([
          [1, "joined", admin.accountId, "admin"],
          [2, "joined", member.accountId, "member"],
        ]);
        expect(events[1]!.time.getTime()).toBeGreaterThan(Date.now() - 60_000);
        expect(await directory.membershipEvents(priv, 1, 1, member.token)).toHaveLength(1);
        expect(await directory.membershipEvents(pub, 0, 10)).toHaveLength(1);
        expect(await failure(directory.listMembers(priv, []))).toEqual([Code.Unauthenticated, "MISSING_CREDENTIALS"]);
      } finally {
        await directory.close();
      }
    });
  });
}

describe("remote directory without sys", () => {
  it("fails with Unavailable/SYS_UNAVAILABLE", async () => {
    const directory = createRemoteDirectory({ sysUrl: "http://127.0.0.1:9", logger, timeoutMs: 2000 });
    try {
      expect(await failure(directory.getCommunity(crypto.randomUUID()))).toEqual([Code.Unavailable, "SYS_UNAVAILABLE"]);
      expect(await failure(directory.listMembers(crypto.randomUUID(), []))).toEqual([Code.Unavailable, "SYS_UNAVAILABLE"]);
    } finally {
      await directory.close();
    }
  });
});
