// Two sys hosts in one process (as the tests, or an embedding, run them) share nothing: each engine resolves
// community visibility against its own database, so one host's public community opens nothing on the other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Community } from "./entities.js";
import { createCommunityModule } from "./module.js";
import { createCommunityTestSys, type CommunityTestSys } from "./test-support.js";

describe("two sys hosts in one process", () => {
  let a: CommunityTestSys;
  let b: CommunityTestSys;
  // The same community id in both databases: public in A, members-only in B.
  const communityId = crypto.randomUUID();

  beforeAll(async () => {
    // B is built (and registers its community access) last: a process-wide registry would answer A from B.
    a = await createCommunityTestSys("pglite");
    b = await createCommunityTestSys("pglite");
    for (const [host, visibility] of [[a, "public"], [b, "members_only"]] as const) {
      createCommunityModule().services(host.ctx); // registers on this host's engine, as the host does at start
      const now = new Date();
      await host.ctx.db.em().insert(Community, {
        id: communityId,
        orgId: await host.org(),
        slug: "shared-id",
        name: "Shared id",
        description: "",
        visibility,
        joinPolicy: "open",
        archivedAt: null,
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
    }
  });
  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
  });

  const anonymousRead = (host: CommunityTestSys) => host.ctx.engine.check({ principalId: "", permission: "community.read", resource: `community/${communityId}` });

  it("decides each host's community visibility from its own database", async () => {
    expect(await anonymousRead(a)).toMatchObject({ allowed: true, reason: "public" });
    expect(await anonymousRead(b)).toMatchObject({ allowed: false, reason: "unauthenticated" });
  });

  it("keeps a visibility change and its invalidation on the host that made it", async () => {
    await b.ctx.db.em().nativeUpdate(Community, { id: communityId }, { visibility: "public" });
    await a.ctx.db.em().nativeUpdate(Community, { id: communityId }, { visibility: "members_only" });
    a.ctx.engine.publicPermissions.invalidate(`community/${communityId}`);
    // A forgot its cached answer and re-reads its own row; B still answers from its cache (the TTL), not from A.
    expect(await anonymousRead(a)).toMatchObject({ allowed: false });
    expect(await anonymousRead(b)).toMatchObject({ allowed: false });
    b.ctx.engine.publicPermissions.invalidate(`community/${communityId}`);
    expect(await anonymousRead(b)).toMatchObject({ allowed: true, reason: "public" });
  });
});
