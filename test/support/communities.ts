// A fresh org holding one public community anyone may join: the usual stage for voting and cross-tier tests.
import { CommunityService, JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { clientFor } from "./clients.js";

/** Creates the org `orgSlug` and in it the public, open community `slug` (named `name`); returns both ids. */
export async function createOpenCommunity(sysUrl: string, token: string, names: { orgSlug: string; slug: string; name: string }): Promise<{ orgId: string; communityId: string }> {
  const { org } = await clientFor(OrgProjectService, sysUrl, token).createOrg({ slug: names.orgSlug, displayName: names.name });
  const { community } = await clientFor(CommunityService, sysUrl, token).createCommunity({
    orgId: org!.id, slug: names.slug, name: names.name, visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
  });
  return { orgId: org!.id, communityId: community!.id };
}
