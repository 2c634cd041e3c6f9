// A fresh org holding one public community anyone may join: the usual stage for voting and cross-tier tests.
import { CommunityService, JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import type { PolityClient } from "../../clients/src/core.js";
import { createPolityClient } from "../../clients/src/node.js";
import { clientFor } from "./clients.js";
import { signUpVerified } from "./people.js";
import { startInProcessServer, type TestServer } from "./server.js";

type Credentials = { email: string; password: string };

/** Creates the org `orgSlug` and in it the public, open community `slug` (named `name`); returns both ids. */
export async function createOpenCommunity(sysUrl: string, token: string, names: { orgSlug: string; slug: string; name: string }): Promise<{ orgId: string; communityId: string }> {
  const { org } = await clientFor(OrgProjectService, sysUrl, token).createOrg({ slug: names.orgSlug, displayName: names.name });
  const { community } = await clientFor(CommunityService, sysUrl, token).createCommunity({
    orgId: org!.id, slug: names.slug, name: names.name, visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
  });
  return { orgId: org!.id, communityId: community!.id };
}

/**
 * An in-process server with a bootstrap admin and one verified member, both signed in through the SDK, and the
 * public open community "coast-towns" the member has joined: the stage for result tests in the CLI and the web.
 */
export async function startCommunityStage(admin: Credentials, member: Credentials, env: Record<string, string> = {}): Promise<{ server: TestServer; admin: PolityClient; member: PolityClient; communityId: string }> {
  const server = await startInProcessServer({ POLITY_BOOTSTRAP_ADMIN_EMAIL: admin.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: admin.password, ...env });
  await signUpVerified(server.url, server.logs, member.email, member.password);
  const adminClient = createPolityClient({ baseUrl: server.url });
  await adminClient.auth.login(admin);
  const memberClient = createPolityClient({ baseUrl: server.url });
  await memberClient.auth.login(member);
  const { org } = await adminClient.orgs.createOrg({ slug: "coast", displayName: "Coast" });
  const { community } = await adminClient.communities.createCommunity({
    orgId: org!.id, slug: "coast-towns", name: "Coast towns", description: "Where we meet.", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
  });
  await memberClient.communities.joinCommunity({ communityId: community!.id });
  return { server, admin: adminClient, member: memberClient, communityId: community!.id };
}
