// Deleting an org deletes its communities (foreign key) and, through the lifecycle hook, every role binding on
// them in the same transaction: nobody keeps a role on a community that no longer exists.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommunityService, JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { createAccountModule } from "../account/module.js";
import { direct, handlerContext, serviceOf } from "../shared/test-support.js";
import { createCommunityModule } from "./module.js";
import { createCommunityService } from "./community-service.js";
import { createCommunityTestSys, type CommunityTestSys } from "./test-support.js";

describe.each(["pglite", "postgres"] as const)("org deletion on %s", (backend) => {
  let t: CommunityTestSys;
  beforeAll(async () => {
    t = await createCommunityTestSys(backend);
    createCommunityModule().services(t.ctx); // registers the module's lifecycle hook, as the host does
  });
  afterAll(async () => t?.cleanup());

  it("removes the role bindings of the org's communities with the org", async () => {
    const orgId = await t.org();
    const owner = await t.person("Owner");
    const member = await t.person("Member");
    await t.ctx.engine.grant({ actorId: "", accountId: owner.accountId, role: "org.admin", resource: `org/${orgId}`, system: true });
    const communities = direct(CommunityService, createCommunityService(t.ctx));
    const community = (await communities.createCommunity({ orgId, slug: "c1", name: "C1", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN }, handlerContext(owner))).community!;
    await communities.joinCommunity({ communityId: community.id }, handlerContext(member));
    expect((await t.ctx.engine.bindingsOf(member.accountId)).map((b) => b.resource)).toContain(`community/${community.id}`);

    await serviceOf(createAccountModule(), t.ctx, OrgProjectService).deleteOrg({ orgId }, handlerContext(owner));

    expect(await t.ctx.engine.bindingsOf(member.accountId)).toEqual([]);
    expect((await t.ctx.engine.bindingsOf(owner.accountId)).filter((b) => b.resource !== "platform")).toEqual([]);
  });
});
