// CommunityService handlers against the real engine on PGlite and PostgreSQL: join policies, approval, invites,
// the rank rule, leaving and removal, the gap-free event feed, public reads and the in-process directory.
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CommunityService,
  JoinPolicy,
  JoinState,
  MemberRole,
  MembershipEventKind,
  Visibility,
} from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { direct, handlerContext, serviceOf, type DirectService } from "../shared/test-support.js";
import type { Principal } from "../core/authn/principal.js";
import { reasonOf } from "../core/errors.js";
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { createAuthzModule } from "../authz/module.js";
import { createCommunityService } from "./community-service.js";
import { createInProcessDirectory } from "./directory.js";
import { Invite, MembershipEvent } from "./entities.js";
import { createCommunityTestSys, type CommunityTestSys } from "./test-support.js";

async function failure(promise: Promise<unknown>): Promise<[Code, string | undefined]> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ConnectError)) throw new Error(`expected a ConnectError, got ${String(error)}`);
  return [error.code, reasonOf(error)];
}
const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });
const as = (p?: Principal) => handlerContext(p);

describe.each(["pglite", "postgres"] as const)("CommunityService on %s", (backend) => {
  let t: CommunityTestSys;
  let svc: DirectService<typeof CommunityService>;
  let orgId: string;
  let owner: Principal, mod: Principal, alice: Principal, bob: Principal, carol: Principal, outsider: Principal, orgMember: Principal;

  const newCommunity = async (slug: string, visibility: Visibility, joinPolicy: JoinPolicy) =>
    (await svc.createCommunity({ orgId, slug, name: slug.toUpperCase(), description: `about ${slug}`, visibility, joinPolicy }, as(owner))).community!;
  const events = async (communityId: string) => (await svc.listMembershipEvents({ communityId, afterSequence: 0n, pageSize: 1000 }, as(owner))).events;
  const roleOf = async (communityId: string, p: Principal) =>
    (await svc.listMembers({ communityId, pageSize: 1000 }, as(owner))).members.find((m) => m.accountId === p.accountId)?.role;
  const allowed = async (p: Principal | undefined, permission: string, communityId: string) =>
    (await t.ctx.engine.check({ principalId: p?.accountId ?? "", permission, resource: `community/${communityId}` })).allowed;

  beforeAll(async () => {
    t = await createCommunityTestSys(backend);
    svc = direct(CommunityService, createCommunityService(t.ctx));
    orgId = await t.org();
    [owner, mod, alice, bob, carol, outsider, orgMember] = await Promise.all(["Owner", "Mod", "Alice", "Bob", "Carol", "Outsider", "Orgmember"].map((n) => t.person(n)));
    await t.ctx.engine.grant({ actorId: "", accountId: owner.accountId, role: "org.admin", resource: `org/${orgId}`, system: true });
    await t.ctx.engine.grant({ actorId: "", accountId: orgMember.accountId, role: "org.member", resource: `org/${orgId}`, system: true });
  });
  afterAll(async () => t?.cleanup());

  it("creates a community whose creator is its admin; slugs are unique per org; updates under an etag", async () => {
    const c = await newCommunity("makers", Visibility.PUBLIC, JoinPolicy.OPEN);
    expect(c).toMatchObject({ orgId, slug: "makers", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN, archived: false, etag: "v1" });
    expect(await roleOf(c.id, owner)).toBe(MemberRole.ADMIN);
    expect((await events(c.id)).map((e) => [e.sequence, e.kind, e.role])).toEqual([[1n, MembershipEventKind.JOINED, MemberRole.ADMIN]]);
    expect(await failure(newCommunity("makers", Visibility.PUBLIC, JoinPolicy.OPEN))).toEqual([Code.AlreadyExists, "SLUG_TAKEN"]);
    const other = await t.org();
    await t.ctx.engine.grant({ actorId: "", accountId: owner.accountId, role: "org.admin", resource: `org/${other}`, system: true });
    await svc.createCommunity({ orgId: other, slug: "makers", name: "M", description: "", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN }, as(owner));

    const updated = (await svc.updateCommunity({ community: { id: c.id, name: "Makers!" }, updateMask: mask("name"), etag: c.etag }, as(owner))).community!;
    expect([updated.name, updated.etag]).toEqual(["Makers!", "v2"]);
    expect(await failure(svc.updateCommunity({ community: { id: c.id, name: "x" }, updateMask: mask("name"), etag: c.etag }, as(owner)))).toEqual([Code.Aborted, "ETAG_MISMATCH"]);
    expect(await failure(svc.updateCommunity({ community: { id: c.id, slug: "x" }, updateMask: mask("slug"), etag: "" }, as(owner)))).toEqual([Code.InvalidArgument, "INVALID_UPDATE_MASK"]);
  });

  it("open join: joins at once, idempotently, with one event", async () => {
    const c = await newCommunity("open-club", Visibility.PUBLIC, JoinPolicy.OPEN);
    expect((await svc.joinCommunity({ communityId: c.id }, as(alice))).state).toBe(JoinState.JOINED);
    expect((await svc.joinCommunity({ communityId: c.id }, as(alice))).state).toBe(JoinState.JOINED);
    expect(await roleOf(c.id, alice)).toBe(MemberRole.MEMBER);
    expect((await events(c.id)).map((e) => [e.sequence, e.kind, e.accountId])).toEqual([
      [1n, MembershipEventKind.JOINED, owner.accountId],
      [2n, MembershipEventKind.JOINED, alice.accountId],
    ]);
    expect(await allowed(alice, "voting.ballot.cast", c.id)).toBe(true);
  });

  it("approval: a request waits for a moderator, who approves or denies it; denied requests can be filed again", async () => {
    const c = await newCommunity("approval-club", Visibility.MEMBERS_ONLY, JoinPolicy.APPROVAL);
    await t.ctx.engine.grant({ actorId: owner.accountId, accountId: mod.accountId, role: "community.moderator", resource: `community/${c.id}` });
    expect((await svc.joinCommunity({ communityId: c.id, message: "let me in" }, as(bob))).state).toBe(JoinState.PENDING);
    expect((await svc.joinCommunity({ communityId: c.id }, as(bob))).state).toBe(JoinState.PENDING);
    expect((await svc.joinCommunity({ communityId: c.id }, as(carol))).state).toBe(JoinState.PENDING);
    const { requests } = await svc.listJoinRequests({ communityId: c.id }, as(mod));
    expect(requests.map((r) => [r.accountDisplayName, r.message])).toEqual([["Bob", "let me in"], ["Carol", ""]]);
    expect(await roleOf(c.id, bob)).toBeUndefined();

    await svc.decideJoinRequest({ communityId: c.id, requestId: requests[0]!.id, approve: true }, as(mod));
    await svc.decideJoinRequest({ communityId: c.id, requestId: requests[1]!.id, approve: false }, as(mod));
    expect(await roleOf(c.id, bob)).toBe(MemberRole.MEMBER);
    expect(await roleOf(c.id, carol)).toBeUndefined();
    expect(await failure(svc.decideJoinRequest({ communityId: c.id, requestId: requests[0]!.id, approve: true }, as(mod)))).toEqual([Code.NotFound, "NOT_FOUND"]);
    expect((await svc.listJoinRequests({ communityId: c.id }, as(mod))).requests).toEqual([]);
    expect((await svc.joinCommunity({ communityId: c.id }, as(carol))).state).toBe(JoinState.PENDING);
    expect((await events(c.id)).map((e) => [e.kind, e.accountId, e.actorId])).toEqual([
      [MembershipEventKind.JOINED, owner.accountId, owner.accountId],
      [MembershipEventKind.REQUESTED, bob.accountId, bob.accountId],
      [MembershipEventKind.REQUESTED, carol.accountId, carol.accountId],
      [MembershipEventKind.APPROVED, bob.accountId, mod.accountId],
      [MembershipEventKind.DENIED, carol.accountId, mod.accountId],
      [MembershipEventKind.REQUESTED, carol.accountId, carol.accountId],
    ]);
  });

  it("invites: one-time, expiring, bound to an email when given, and never above the inviter's role", async () => {
    const c = await newCommunity("invite-club", Visibility.MEMBERS_ONLY, JoinPolicy.INVITE);
    await t.ctx.engine.grant({ actorId: owner.accountId, accountId: mod.accountId, role: "community.moderator", resource: `community/${c.id}` });
    expect(await failure(svc.joinCommunity({ communityId: c.id }, as(alice)))).toEqual([Code.FailedPrecondition, "INVITE_ONLY"]);

    expect(await failure(svc.createInvite({ communityId: c.id, role: MemberRole.ADMIN }, as(mod)))).toEqual([Code.PermissionDenied, "ROLE_ABOVE_OWN"]);
    const invite = await svc.createInvite({ communityId: c.id, role: MemberRole.MODERATOR }, as(mod));
    expect(invite.token.length).toBeGreaterThanOrEqual(16);
    expect(await svc.acceptInvite({ token: invite.token }, as(alice))).toMatchObject({ communityId: c.id, role: MemberRole.MODERATOR });
    expect(await roleOf(c.id, alice)).toBe(MemberRole.MODERATOR);
    expect(await failure(svc.acceptInvite({ token: invite.token }, as(bob)))).toEqual([Code.FailedPrecondition, "INVITE_USED"]);
    expect(await failure(svc.acceptInvite({ token: "x".repeat(40) }, as(bob)))).toEqual([Code.NotFound, "NOT_FOUND"]);

    const plain = await svc.createInvite({ communityId: c.id }, as(owner));
    const stored = await t.ctx.db.em().findOneOrFail(Invite, { id: plain.inviteId });
    expect(stored.role).toBe("member");
    expect(stored.tokenHash).not.toContain(plain.token);
    await t.ctx.db.em().nativeUpdate(Invite, { id: plain.inviteId }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await failure(svc.acceptInvite({ token: plain.token }, as(bob)))).toEqual([Code.FailedPrecondition, "INVITE_EXPIRED"]);

    const emailed = await svc.createInvite({ communityId: c.id, email: "Someone@Example.org", role: MemberRole.OBSERVER, expiresInDays: 2 }, as(owner));
    expect(t.outbox.at(-1)).toMatchObject({ to: "someone@example.org" });
    expect(t.outbox.at(-1)!.text).toContain(emailed.token);
    expect(await failure(svc.acceptInvite({ token: emailed.token }, as(bob)))).toEqual([Code.PermissionDenied, "INVITE_EMAIL_MISMATCH"]);
    expect(Number(emailed.expiresAt!.seconds) * 1000 - Date.now()).toBeGreaterThan(47 * 3_600_000);
    const kinds = (await events(c.id)).map((e) => e.kind);
    expect(kinds).toEqual([MembershipEventKind.JOINED, MembershipEventKind.INVITED, MembershipEventKind.JOINED, MembershipEventKind.INVITED, MembershipEventKind.INVITED]);
  });

  it("the rank rule: a moderator cannot make an admin or touch one; roles change with an event; observers cannot vote", async () => {
    const c = await newCommunity("ranks", Visibility.PUBLIC, JoinPolicy.OPEN);
    await t.ctx.engine.grant({ actorId: owner.accountId, accountId: mod.accountId, role: "community.moderator", resource: `community/${c.id}` });
    await svc.joinCommunity({ communityId: c.id }, as(bob));
    const before = (await events(c.id)).length;
    expect(await failure(svc.setMemberRole({ communityId: c.id, accountId: bob.accountId, role: MemberRole.ADMIN }, as(mod)))).toEqual([Code.PermissionDenied, "ROLE_ABOVE_OWN"]);
    expect(await failure(svc.setMemberRole({ communityId: c.id, accountId: owner.accountId, role: MemberRole.MEMBER }, as(mod)))).toEqual([Code.PermissionDenied, "ROLE_ABOVE_OWN"]);
    expect(await failure(svc.removeMember({ communityId: c.id, accountId: owner.accountId }, as(mod)))).toEqual([Code.PermissionDenied, "ROLE_ABOVE_OWN"]);
    // A failed change leaves no event and uses up no sequence number.
    expect((await events(c.id)).length).toBe(before);
    expect(await roleOf(c.id, bob)).toBe(MemberRole.MEMBER);
    expect(await roleOf(c.id, owner)).toBe(MemberRole.ADMIN);

    const { member } = await svc.setMemberRole({ communityId: c.id, accountId: bob.accountId, role: MemberRole.OBSERVER }, as(mod));
    expect(member).toMatchObject({ accountId: bob.accountId, displayName: "Bob", role: MemberRole.OBSERVER });
    expect(await allowed(bob, "voting.ballot.cast", c.id)).toBe(false);
    expect(await allowed(bob, "voting.poll.read", c.id)).toBe(true);
    expect(await allowed(bob, "community.activity.read", c.id)).toBe(true);
    await svc.setMemberRole({ communityId: c.id, accountId: bob.accountId, role: MemberRole.ADMIN }, as(owner));
    expect(await roleOf(c.id, bob)).toBe(MemberRole.ADMIN);
    const all = await events(c.id);
    expect(all.map((e) => Number(e.sequence))).toEqual(all.map((_, i) => i + 1));
    expect(all.slice(-2).map((e) => [e.kind, e.role, e.actorId])).toEqual([
      [MembershipEventKind.ROLE_CHANGED, MemberRole.OBSERVER, mod.accountId],
      [MembershipEventKind.ROLE_CHANGED, MemberRole.ADMIN, owner.accountId],
    ]);
  });

  it("leave and remove drop every community role, each with its event", async () => {
    const c = await newCommunity("leavers", Visibility.PUBLIC, JoinPolicy.OPEN);
    await t.ctx.engine.grant({ actorId: owner.accountId, accountId: mod.accountId, role: "community.moderator", resource: `community/${c.id}` });
    await svc.joinCommunity({ communityId: c.id }, as(alice));
    await svc.joinCommunity({ communityId: c.id }, as(bob));
    await svc.leaveCommunity({ communityId: c.id }, as(alice));
    expect(await failure(svc.leaveCommunity({ communityId: c.id }, as(alice)))).toEqual([Code.FailedPrecondition, "NOT_A_MEMBER"]);
    await svc.removeMember({ communityId: c.id, accountId: bob.accountId }, as(mod));
    expect(await failure(svc.removeMember({ communityId: c.id, accountId: bob.accountId }, as(mod)))).toEqual([Code.NotFound, "NOT_FOUND"]);
    expect(await roleOf(c.id, alice)).toBeUndefined();
    expect(await roleOf(c.id, bob)).toBeUndefined();
    expect(await allowed(bob, "voting.ballot.cast", c.id)).toBe(false);
    expect((await events(c.id)).slice(-2).map((e) => [e.kind, e.accountId, e.actorId, e.role])).toEqual([
      [MembershipEventKind.LEFT, alice.accountId, alice.accountId, MemberRole.MEMBER],
      [MembershipEventKind.REMOVED, bob.accountId, mod.accountId, MemberRole.MEMBER],
    ]);
  });

  it("numbers events 1, 2, 3… with no gap under concurrent joins, and writes them in the change's transaction", async () => {
    const c = await newCommunity("crowd", Visibility.PUBLIC, JoinPolicy.OPEN);
    const people = await Promise.all(Array.from({ length: 12 }, (_, i) => t.person(`Crowd${i}`)));
    await Promise.all(people.map((p) => svc.joinCommunity({ communityId: c.id }, as(p))));
    const all = await events(c.id);
    expect(all.map((e) => Number(e.sequence))).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(new Set(all.map((e) => e.accountId)).size).toBe(13);
    // A grant that fails inside the transaction takes its event (and its sequence number) with it.
    const em = t.ctx.db.em();
    await expect(
      em.transactional(async (tx) => {
        const { appendEvent } = await import("./events.js");
        await appendEvent(tx, { communityId: c.id, kind: "joined", accountId: outsider.accountId, actorId: outsider.accountId, role: "member" });
        await t.ctx.engine.grant({ actorId: outsider.accountId, accountId: outsider.accountId, role: "community.admin", resource: `community/${c.id}` }, tx);
      }),
    ).rejects.toThrow();
    expect(await t.ctx.db.em().count(MembershipEvent, { communityId: c.id })).toBe(13);
    await svc.joinCommunity({ communityId: c.id }, as(outsider));
    expect((await events(c.id)).at(-1)!.sequence).toBe(14n);
    expect((await svc.listMembershipEvents({ communityId: c.id, afterSequence: 10n, pageSize: 2 }, as(owner))).events.map((e) => e.sequence)).toEqual([11n, 12n]);
  });

  it("archived communities stay readable but refuse joins and invites", async () => {
    const c = await newCommunity("old-club", Visibility.PUBLIC, JoinPolicy.OPEN);
    expect((await svc.archiveCommunity({ communityId: c.id }, as(owner))).community!.archived).toBe(true);
    expect(await failure(svc.joinCommunity({ communityId: c.id }, as(alice)))).toEqual([Code.FailedPrecondition, "COMMUNITY_ARCHIVED"]);
    expect(await failure(svc.createInvite({ communityId: c.id }, as(owner)))).toEqual([Code.FailedPrecondition, "COMMUNITY_ARCHIVED"]);
    expect((await svc.getCommunity({ communityId: c.id }, as())).community!.archived).toBe(true);
    expect(await allowed(undefined, "community.read", c.id)).toBe(true);
    expect((await svc.unarchiveCommunity({ communityId: c.id }, as(owner))).community!.archived).toBe(false);
    expect((await svc.joinCommunity({ communityId: c.id }, as(alice))).state).toBe(JoinState.JOINED);
  });

  it("public communities open their reads to anyone; members-only ones to members and the org; a visibility change applies at once", async () => {
    const pub = await newCommunity("town-square", Visibility.PUBLIC, JoinPolicy.OPEN);
    const priv = await newCommunity("back-room", Visibility.MEMBERS_ONLY, JoinPolicy.OPEN);
    await svc.joinCommunity({ communityId: priv.id }, as(carol));
    for (const permission of ["community.read", "community.member.read", "community.activity.read", "voting.poll.read"]) {
      expect(await t.ctx.engine.check({ principalId: "", permission, resource: `community/${pub.id}` })).toEqual({ allowed: true, reason: "public" });
      expect(await allowed(outsider, permission, pub.id)).toBe(true);
      expect(await t.ctx.engine.check({ principalId: "", permission, resource: `community/${priv.id}` })).toMatchObject({ allowed: false, reason: "unauthenticated" });
      expect(await allowed(outsider, permission, priv.id)).toBe(false);
      expect(await allowed(carol, permission, priv.id)).toBe(true);
      expect(await allowed(orgMember, permission, priv.id)).toBe(true);
    }
    expect(await allowed(undefined, "voting.ballot.cast", pub.id)).toBe(false);
    expect(await allowed(outsider, "voting.ballot.cast", pub.id)).toBe(false);

    const slugs = async (p?: Principal, query = "") =>
      (await svc.listCommunities({ pageSize: 200, query, orgId }, as(p))).communities.map((c) => c.slug);
    expect(await slugs()).toContain("town-square");
    expect(await slugs()).not.toContain("back-room");
    expect(await slugs(outsider)).not.toContain("back-room");
    expect(await slugs(carol)).toContain("back-room");
    expect(await slugs(orgMember)).toContain("back-room");
    expect(await slugs(undefined, "SQUARE")).toEqual(["town-square"]);

    const after = await svc.updateCommunity({ community: { id: pub.id, visibility: Visibility.MEMBERS_ONLY }, updateMask: mask("visibility"), etag: "" }, as(owner));
    expect(after.community!.visibility).toBe(Visibility.MEMBERS_ONLY);
    expect(await allowed(undefined, "community.read", pub.id)).toBe(false);
    expect(await slugs()).not.toContain("town-square");
  });

  it("pages through communities and members; emails are searched only by those who may read them", async () => {
    const c = await newCommunity("pager", Visibility.PUBLIC, JoinPolicy.OPEN);
    const people = await Promise.all(Array.from({ length: 5 }, (_, i) => t.person(`Pager${i}`)));
    for (const p of people) await svc.joinCommunity({ communityId: c.id }, as(p));
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await svc.listMembers({ communityId: c.id, pageSize: 2, pageToken }, as());
      seen.push(...page.members.map((m) => m.displayName));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(["Owner", "Pager0", "Pager1", "Pager2", "Pager3", "Pager4"]);
    expect((await svc.listMembers({ communityId: c.id, roles: [MemberRole.ADMIN] }, as())).members.map((m) => m.displayName)).toEqual(["Owner"]);
    expect((await svc.listMembers({ communityId: c.id, query: "pager2" }, as())).members.map((m) => m.displayName)).toEqual(["Pager2"]);
    // Emails are "<name>-<n>@example.org": only the admin's search reaches them.
    expect((await svc.listMembers({ communityId: c.id, query: "@example" }, as())).members).toEqual([]);
    expect((await svc.listMembers({ communityId: c.id, query: "@example" }, as(people[0]))).members).toEqual([]);
    expect((await svc.listMembers({ communityId: c.id, query: "@example" }, as(owner))).members).toHaveLength(6);
    // A moderator manages members but is not an admin: names only.
    await t.ctx.engine.grant({ actorId: owner.accountId, accountId: people[1]!.accountId, role: "community.moderator", resource: `community/${c.id}` });
    expect((await svc.listMembers({ communityId: c.id, query: "@example" }, as(people[1]))).members).toEqual([]);
    expect(await failure(svc.listMembers({ communityId: c.id, pageToken: "garbage" }, as()))).toEqual([Code.InvalidArgument, "INVALID_PAGE_TOKEN"]);

    const first = await svc.listCommunities({ pageSize: 1, orgId }, as(owner));
    const second = await svc.listCommunities({ pageSize: 1, pageToken: first.nextPageToken, orgId }, as(owner));
    expect(first.communities[0]!.id).not.toBe(second.communities[0]!.id);
  });

  it("a community's role bindings show emails to its admins and the org's, never to its members", async () => {
    const c = await newCommunity("bindings", Visibility.MEMBERS_ONLY, JoinPolicy.OPEN);
    const resource = `community/${c.id}`;
    const [member, cAdmin] = await Promise.all([t.person("Plainmember"), t.person("Cadmin")]);
    await svc.joinCommunity({ communityId: c.id }, as(member));
    await t.ctx.engine.grant({ actorId: owner.accountId, accountId: cAdmin.accountId, role: "community.admin", resource });
    const authz = serviceOf(createAuthzModule(), t.ctx, AuthzService);
    const emails = async (p: Principal, query = "") => (await authz.listRoleBindings({ resource, query }, as(p))).bindings.map((b) => b.accountEmail).sort();
    expect(await emails(member)).toEqual(["", "", ""]);
    expect(await emails(member, "@example.org")).toEqual([]);
    expect(await emails(member, "plainmember-")).toEqual([]);
    expect((await authz.listRoleBindings({ resource, query: "plainmember" }, as(member))).bindings.map((b) => b.accountDisplayName)).toEqual(["Plainmember"]);
    for (const reader of [owner, cAdmin]) {
      expect((await emails(reader)).every((e) => /@example\.org$/.test(e))).toBe(true);
      expect(await emails(reader, "plainmember-")).toHaveLength(1);
    }
  });

  it("the in-process directory reads communities, members by role and events", async () => {
    const c = await newCommunity("directory", Visibility.MEMBERS_ONLY, JoinPolicy.OPEN);
    await svc.joinCommunity({ communityId: c.id }, as(alice));
    const directory = createInProcessDirectory(t.ctx);
    expect(await directory.getCommunity(c.id)).toEqual({ id: c.id, orgId, visibility: "members_only", archived: false });
    expect(await directory.getCommunity(crypto.randomUUID())).toBeUndefined();
    expect(await directory.getCommunity("nope")).toBeUndefined();
    expect(await directory.listMembers(c.id, [])).toEqual([
      { accountId: owner.accountId, role: "admin" },
      { accountId: alice.accountId, role: "member" },
    ]);
    expect(await directory.listMembers(c.id, ["member", "observer"])).toEqual([{ accountId: alice.accountId, role: "member" }]);
    const feed = await directory.membershipEvents(c.id, 0, 10);
    expect(feed.map((e) => [e.sequence, e.kind, e.accountId, e.role])).toEqual([
      [1, "joined", owner.accountId, "admin"],
      [2, "joined", alice.accountId, "member"],
    ]);
    expect(feed[0]!.time).toBeInstanceOf(Date);
    expect(await directory.membershipEvents(c.id, 1, 10)).toHaveLength(1);
  });
});
