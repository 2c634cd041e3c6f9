// Concurrent membership changes of one member on PostgreSQL (PGlite has one connection, so it never
// interleaves): they apply one after the other, each answering as it would alone, and the event feed records
// exactly the changes that happened; nothing answers INTERNAL.
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommunityService, JoinPolicy, MemberRole, MembershipEventKind, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { direct, handlerContext, type DirectService } from "../shared/test-support.js";
import type { Principal } from "../core/authn/principal.js";
import { reasonOf } from "../core/errors.js";
import { createCommunityService } from "./community-service.js";
import { createCommunityTestSys, type CommunityTestSys } from "./test-support.js";

const outcome = (call: Promise<unknown>) =>
  call.then(
    () => "OK",
    (e: unknown) => `${Code[ConnectError.from(e).code]} ${reasonOf(e) ?? ConnectError.from(e).rawMessage}`,
  );
const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

describe("concurrent membership changes on postgres", () => {
  let t: CommunityTestSys;
  let svc: DirectService<typeof CommunityService>;
  let owner: Principal;
  let orgId: string;

  beforeAll(async () => {
    t = await createCommunityTestSys("postgres");
    svc = direct(CommunityService, createCommunityService(t.ctx));
    orgId = await t.org();
    owner = await t.person("Owner");
    await t.ctx.engine.grant({ actorId: "", accountId: owner.accountId, role: "org.admin", resource: `org/${orgId}`, system: true });
  });
  afterAll(async () => t?.cleanup());

  const community = async (slug: string) =>
    (await svc.createCommunity({ orgId, slug, name: slug, visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN }, handlerContext(owner))).community!;
  const eventsOf = async (communityId: string) =>
    (await svc.listMembershipEvents({ communityId, afterSequence: 0n, pageSize: 1000 }, handlerContext(owner))).events;

  it("applies concurrent SetMemberRole calls for one member one after the other", async () => {
    const c = await community("roles");
    const pawn = await t.person("Pawn");
    await svc.joinCommunity({ communityId: c.id }, handlerContext(pawn));
    const roles = Array.from({ length: 12 }, (_, i) => (i % 2 ? MemberRole.MEMBER : MemberRole.OBSERVER));
    const results = await Promise.all(roles.map((role) => outcome(svc.setMemberRole({ communityId: c.id, accountId: pawn.accountId, role }, handlerContext(owner)))));
    expect(results).toEqual(roles.map(() => "OK"));
    const members = (await svc.listMembers({ communityId: c.id, pageSize: 100 }, handlerContext(owner))).members.filter((m) => m.accountId === pawn.accountId);
    expect(members).toHaveLength(1);
    // Each recorded change is a real change: no two consecutive role_changed events name the same role.
    const changes = (await eventsOf(c.id)).filter((e) => e.kind === MembershipEventKind.ROLE_CHANGED).map((e) => e.role);
    expect(changes.every((role, i) => i === 0 || role !== changes[i - 1])).toBe(true);
    expect(changes.at(-1)).toBe(members[0]!.role);
  });

  it("lets exactly one of concurrent joins of one account join, and one of concurrent leaves leave", async () => {
    const c = await community("joins");
    const joiner = await t.person("Joiner");
    const joins = await Promise.all(Array.from({ length: 8 }, () => outcome(svc.joinCommunity({ communityId: c.id }, handlerContext(joiner)))));
    expect(joins).toEqual(joins.map(() => "OK"));
    const joined = (await eventsOf(c.id)).filter((e) => e.kind === MembershipEventKind.JOINED && e.accountId === joiner.accountId);
    expect(joined).toHaveLength(1);
    const leaves = await Promise.all(Array.from({ length: 8 }, () => outcome(svc.leaveCommunity({ communityId: c.id }, handlerContext(joiner)))));
    expect(leaves.filter((o) => o === "OK")).toHaveLength(1);
    expect(leaves.filter((o) => o !== "OK")).toEqual(Array.from({ length: 7 }, () => "FailedPrecondition NOT_A_MEMBER"));
  });

  it("applies concurrent community updates without an etag and refuses a stale one with ETAG_MISMATCH", async () => {
    const c = await community("edits");
    const blind = await Promise.all(
      Array.from({ length: 8 }, (_, i) => outcome(svc.updateCommunity({ community: { id: c.id, description: `d${i}` }, updateMask: mask("description") }, handlerContext(owner)))),
    );
    expect(blind).toEqual(blind.map(() => "OK"));
    const archives = await Promise.all(Array.from({ length: 6 }, (_, i) => outcome(i % 2 ? svc.unarchiveCommunity({ communityId: c.id }, handlerContext(owner)) : svc.archiveCommunity({ communityId: c.id }, handlerContext(owner)))));
    expect(archives).toEqual(archives.map(() => "OK"));
    await svc.unarchiveCommunity({ communityId: c.id }, handlerContext(owner));
    const stale = await Promise.all(
      Array.from({ length: 6 }, (_, i) => outcome(svc.updateCommunity({ community: { id: c.id, name: `n${i}` }, updateMask: mask("name"), etag: c.etag }, handlerContext(owner)))),
    );
    expect(stale).toEqual(stale.map(() => "Aborted ETAG_MISMATCH"));
  });
});
