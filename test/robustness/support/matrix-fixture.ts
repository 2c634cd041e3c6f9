// The world the authorization matrix runs in, built through the public API on a real server: two orgs (A, the
// principals' own, and B, another org), each with a project, a public and a members-only community holding
// polls in every state, a service account and a listing; and one principal per kind of caller. Every role the
// fixture hands out is also written into the model (`bindings`) the expected decisions are computed from.
import { AccountService } from "../../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService } from "../../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { AuthzService } from "../../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { CommunityService, JoinPolicy, Visibility } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { DiscoService } from "../../../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { VotingMethod, VotingService } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { clientFor } from "../../support/clients.js";
import { verificationTokenFor } from "../../support/people.js";
import type { Binding, ModelPrincipal, World } from "./matrix-expect.js";

export const PASSWORD = "a long enough password";
export const SUPERADMIN = { email: "root@matrix.example.org", password: "root password for the matrix" };

export const PRINCIPALS = [
  "anonymous", "unverified", "member", "moderator", "commAdmin", "orgMember", "orgAdmin", "otherAdmin", "service", "ops", "superadmin",
  // Members of org A and its communities whose token was revoked: by signing out, by the account being disabled.
  "signedOut", "disabled",
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

export interface Actor extends ModelPrincipal {
  name: PrincipalName;
  token?: string;
  email?: string;
}

export interface CommunityFx {
  id: string;
  resource: string;
  /** A draft poll (read, updated), a draft the matrix opens, an open poll it votes in, an open poll it closes. */
  draftPollId: string;
  openTargetPollId: string;
  votePollId: string;
  closeTargetPollId: string;
}

export interface Victims {
  disable: string;
  enable: string;
  update: string;
}

export interface OrgFx {
  key: "A" | "B";
  id: string;
  resource: string;
  projectId: string;
  serviceAccountId: string;
  /** Service accounts of this org no principal depends on, for the calls that disable, enable or rename them. */
  victims: Victims;
  listingId: string;
  /** The first API key of `serviceAccountId`. */
  apiKeySecret: string;
  pub: CommunityFx;
  mo: CommunityFx;
}

export interface Fixture {
  url: string;
  actors: Record<PrincipalName, Actor>;
  orgs: { A: OrgFx; B: OrgFx };
  world: World & { parents: Map<string, string>; publicCommunities: Set<string> };
  /** Every fixture account's email by account id (for the leak scans). */
  emails: Map<string, string>;
  serviceApiKey: string;
  /** An unverified person who receives the roles the matrix grants and the delegations it sets. */
  grantee: { accountId: string; email: string };
  /** People no principal depends on, for the calls that disable, enable or rename them. */
  victims: Victims;
  /** The next person DeleteAccount may delete (replaced once deleted). */
  doomed: { person: string };
  /** A community of a third org the matrix joins and leaves (rule: any signed-in principal). */
  joinCommunityId: string;
  /** A member of every fixture community, whose role the matrix changes. */
  pawnId: string;
  as(name: PrincipalName): string | undefined;
  register(name: string): Promise<{ accountId: string; email: string; token: string; refreshToken: string }>;
  grant(actor: Actor, binding: Binding): Promise<void>;
}

let seq = 0;
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++seq}`;

export async function buildFixture(url: string, logs: string[]): Promise<Fixture> {
  const emails = new Map<string, string>();
  const login = (await clientFor(AuthService, url).login(SUPERADMIN)).tokens!;
  const root = login.accessToken;
  emails.set(login.accountId, SUPERADMIN.email);
  const sys = {
    orgs: clientFor(OrgProjectService, url, root),
    accounts: clientFor(AccountService, url, root),
    authz: clientFor(AuthzService, url, root),
    communities: clientFor(CommunityService, url, root),
    voting: clientFor(VotingService, url, root),
    disco: clientFor(DiscoService, url, root),
  };
  const parents = new Map<string, string>();
  const publicCommunities = new Set<string>();
  const world = {
    parents,
    publicCommunities,
    parentOf: (r: string) => parents.get(r) ?? "platform",
    isPublicCommunity: (r: string) => publicCommunities.has(r),
  };

  async function register(name: string) {
    const email = `${unique(name).toLowerCase()}@matrix.example.org`;
    const res = await clientFor(AuthService, url).register({ email, password: PASSWORD, displayName: name });
    emails.set(res.accountId, email);
    return { accountId: res.accountId, email, token: res.tokens!.accessToken, refreshToken: res.tokens!.refreshToken };
  }
  // The token Register returns works once the email is verified (the engine reads that from the database).
  async function verified(name: string) {
    const person = await register(name);
    await clientFor(AuthService, url).verifyEmail({ token: await verificationTokenFor(logs, person.email) });
    return person;
  }

  const [member, moderator, commAdmin, orgMember, orgAdmin, otherAdmin, ops, signedOut, disabled] = await Promise.all(
    ["member", "moderator", "commAdmin", "orgMember", "orgAdmin", "otherAdmin", "ops", "signedOut", "disabled"].map(verified),
  );
  const [unverified, grantee, pawn, doomed, ...victims] = await Promise.all(["unverified", "grantee", "pawn", "doomed", "victim", "victim", "victim"].map(register));

  const actor = (name: PrincipalName, p: { accountId: string; email: string; token: string } | undefined, bindings: Binding[] = [], extra: Partial<Actor> = {}): Actor =>
    ({ name, accountId: p?.accountId, token: p?.token, email: p?.email, kind: "person", verified: true, bindings, ...extra });
  const actors: Record<PrincipalName, Actor> = {
    anonymous: actor("anonymous", undefined),
    unverified: actor("unverified", unverified, [], { verified: false }),
    member: actor("member", member),
    moderator: actor("moderator", moderator),
    commAdmin: actor("commAdmin", commAdmin),
    orgMember: actor("orgMember", orgMember),
    orgAdmin: actor("orgAdmin", orgAdmin),
    otherAdmin: actor("otherAdmin", otherAdmin),
    service: actor("service", undefined, [], { kind: "service" }),
    ops: actor("ops", ops),
    superadmin: actor("superadmin", { accountId: login.accountId, email: SUPERADMIN.email, token: root }, [{ role: "platform.superadmin", resource: "platform" }]),
    signedOut: actor("signedOut", signedOut),
    disabled: actor("disabled", disabled),
  };

  async function grant(to: Actor, binding: Binding) {
    await sys.authz.grantRole({ accountId: to.accountId!, role: binding.role, resource: binding.resource });
    to.bindings.push(binding);
  }

  async function poll(communityId: string, state: "draft" | "open") {
    const { poll } = await sys.voting.createPoll({ poll: { communityId, title: "Matrix poll", method: VotingMethod.SINGLE_CHOICE, options: [{ id: "a", label: "A" }, { id: "b", label: "B" }] } });
    if (state === "open") await sys.voting.openPoll({ communityId, pollId: poll!.id });
    return poll!.id;
  }

  async function community(orgId: string, visibility: Visibility): Promise<CommunityFx> {
    const { community } = await sys.communities.createCommunity({
      orgId, slug: unique("c"), name: "Matrix community", visibility, joinPolicy: visibility === Visibility.PUBLIC ? JoinPolicy.OPEN : JoinPolicy.APPROVAL,
    });
    const id = community!.id;
    const resource = `community/${id}`;
    parents.set(resource, `org/${orgId}`);
    if (visibility === Visibility.PUBLIC) publicCommunities.add(resource);
    await sys.authz.grantRole({ accountId: pawn.accountId, role: "community.member", resource });
    const [draftPollId, openTargetPollId] = [await poll(id, "draft"), await poll(id, "draft")];
    const [votePollId, closeTargetPollId] = [await poll(id, "open"), await poll(id, "open")];
    return { id, resource, draftPollId, openTargetPollId, votePollId, closeTargetPollId };
  }

  async function org(key: "A" | "B"): Promise<OrgFx> {
    const { org } = await sys.orgs.createOrg({ slug: unique(`org-${key.toLowerCase()}`), displayName: `Org ${key}` });
    const id = org!.id;
    const { project } = await sys.orgs.createProject({ orgId: id, slug: unique("p"), displayName: "Project" });
    parents.set(`project/${project!.id}`, `org/${id}`);
    const sa = await sys.accounts.createServiceAccount({ orgId: id, displayName: `Bot ${key}`, role: "member" });
    parents.set(`account/${sa.serviceAccount!.id}`, `org/${id}`);
    const victims: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { serviceAccount } = await sys.accounts.createServiceAccount({ orgId: id, displayName: `Victim bot ${key}`, role: "guest" });
      parents.set(`account/${serviceAccount!.id}`, `org/${id}`);
      victims.push(serviceAccount!.id);
    }
    const { listing } = await sys.disco.createListing({ orgId: id, title: `Org ${key} listing`, summary: "Come and help" });
    return {
      key, id, resource: `org/${id}`, projectId: project!.id, serviceAccountId: sa.serviceAccount!.id, victims: { disable: victims[0], enable: victims[1], update: victims[2] },
      listingId: listing!.id, pub: await community(id, Visibility.PUBLIC), mo: await community(id, Visibility.MEMBERS_ONLY), apiKeySecret: sa.apiKeySecret,
    };
  }

  const A = await org("A");
  const B = await org("B");
  const serviceApiKey = A.apiKeySecret;
  const service = (await clientFor(AuthService, url).exchangeApiKey({ apiKey: serviceApiKey })).tokens!;
  Object.assign(actors.service, { accountId: service.accountId, token: service.accessToken, bindings: [{ role: "org.member", resource: A.resource }] });

  await grant(actors.ops, { role: "platform.ops", resource: "platform" });
  await grant(actors.orgAdmin, { role: "org.admin", resource: A.resource });
  await grant(actors.orgMember, { role: "org.member", resource: A.resource });
  await grant(actors.otherAdmin, { role: "org.admin", resource: B.resource });
  for (const c of [A.pub, A.mo]) {
    await grant(actors.member, { role: "community.member", resource: c.resource });
    await grant(actors.moderator, { role: "community.moderator", resource: c.resource });
    await grant(actors.commAdmin, { role: "community.admin", resource: c.resource });
  }
  // Restricted until verified, whatever role it holds.
  await grant(actors.unverified, { role: "community.member", resource: A.mo.resource });
  // Roles that would let them in, and tokens that must not.
  for (const revoked of [actors.signedOut, actors.disabled]) {
    await grant(revoked, { role: "org.member", resource: A.resource });
    for (const c of [A.pub, A.mo]) await grant(revoked, { role: "community.member", resource: c.resource });
    revoked.revoked = true;
  }
  await clientFor(AuthService, url).logout({ refreshToken: signedOut.refreshToken });
  await sys.accounts.disableAccount({ accountId: disabled.accountId });

  // In a third org, so that joining it gives no principal a foot in A or B.
  const { org: third } = await sys.orgs.createOrg({ slug: unique("org-c"), displayName: "Org C" });
  const { community: join } = await sys.communities.createCommunity({ orgId: third!.id, slug: unique("join"), name: "Join me", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN });
  parents.set(`community/${join!.id}`, `org/${third!.id}`);
  publicCommunities.add(`community/${join!.id}`);

  return {
    url,
    actors,
    orgs: { A, B },
    world,
    emails,
    serviceApiKey,
    grantee: { accountId: grantee.accountId, email: grantee.email },
    victims: { disable: victims[0].accountId, enable: victims[1].accountId, update: victims[2].accountId },
    doomed: { person: doomed.accountId },
    joinCommunityId: join!.id,
    pawnId: pawn.accountId,
    as: (name) => actors[name].token,
    register,
    async grant(to, binding) {
      await grant(to, binding);
    },
  };
}
