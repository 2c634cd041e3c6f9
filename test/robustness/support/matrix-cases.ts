// One valid request per RPC (and per variant of its resource), naming real fixture resources so validation
// passes and the handler runs past authorization. Calls that destroy what they name get a fresh resource per
// cell (made by the superadmin just before); calls that change state aim at resources nothing else reads.
// `handlerReasons`: refusals the handler gives *after* authorization passed (a wrong current password, an
// unknown email token), which therefore count as "authorization passed".
import { VotingMethod } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { AccountService } from "../../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { CommunityService, MemberRole, Visibility, JoinPolicy } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { clientFor } from "../../support/clients.js";
import { DIRECTORY_CASES } from "./matrix-cases-directory.js";
import { DISCO_CAMPAIGN_CASES } from "./matrix-cases-disco-campaigns.js";
import { DISCO_DISCOVERY_CASES } from "./matrix-cases-disco-discovery.js";
import { DISCO_STATISTICS_CASES } from "./matrix-cases-disco-statistics.js";
import { DISCO_SURVEY_CASES } from "./matrix-cases-disco-surveys.js";
import { MESSAGING_BLAST_CASES } from "./matrix-cases-messaging-blasts.js";
import { MESSAGING_CONTACT_CASES } from "./matrix-cases-messaging-contacts.js";
import { MESSAGING_MESSAGE_CASES } from "./matrix-cases-messaging-messages.js";
import { MESSAGING_NOTIFICATION_CASES } from "./matrix-cases-messaging-notifications.js";
import { MESSAGING_PROVIDER_CASES } from "./matrix-cases-messaging-providers.js";
import { TIMESPACE_PLACES_CASES } from "./matrix-cases-timespace-places.js";
import { TIMESPACE_TIME_CASES } from "./matrix-cases-timespace-time.js";
import { type Actor, type CommunityFx, type Fixture, type OrgFx, PASSWORD, unique } from "./matrix-fixture.js";

export interface Cell {
  fx: Fixture;
  who: Actor;
  org: OrgFx;
}

type Request = Record<string, unknown>;
type Build = (c: Cell) => Request | Promise<Request>;

export interface Case {
  /** Variant name → request. One variant is called "default". */
  variants: Record<string, Build>;
  handlerReasons?: string[];
  /** Destroys or changes shared state: runs after the rest, denials first. */
  late?: boolean;
  /** Variants whose request names no resource of the target org: called once, not once per org. */
  orgless?: string[];
  /** Puts shared state back after a call (`allowed`: whether it passed authorization). */
  restore?: (c: Cell, allowed: boolean) => Promise<void>;
}

const uuid = () => crypto.randomUUID();
const token = () => `matrix-${uuid()}`;
const root = (fx: Fixture) => fx.as("superadmin");
const one = (build: Build) => ({ default: build });
const communities = (build: (c: Cell, community: CommunityFx) => Request): Record<string, Build> => ({
  public: (c) => build(c, c.org.pub),
  membersOnly: (c) => build(c, c.org.mo),
});
const pollBody = (communityId: string, id = "") => ({ id, communityId, title: "Matrix poll", method: VotingMethod.SINGLE_CHOICE, options: [{ id: "a", label: "A" }, { id: "b", label: "B" }] });
const mask = (...paths: string[]) => ({ paths });

export const CASES: Record<string, Case> = {
  // AuthService
  "AuthService/Register": { variants: one((c) => ({ email: c.fx.grantee.email, password: PASSWORD, displayName: "Again" })) },
  "AuthService/VerifyEmail": { variants: one(() => ({ token: token() })), handlerReasons: ["INVALID_LINK_TOKEN"] },
  "AuthService/ResendVerification": { variants: one(() => ({})) },
  "AuthService/Login": { variants: one((c) => ({ email: c.fx.grantee.email, password: PASSWORD })) },
  // Public: the guard cannot refuse them, so an unknown token (answered by the handler) tells as much as a real one.
  "AuthService/Refresh": { variants: one(() => ({ refreshToken: token() })), handlerReasons: ["INVALID_REFRESH_TOKEN"] },
  "AuthService/Logout": { variants: one(() => ({ refreshToken: token() })) },
  "AuthService/ExchangeApiKey": { variants: one((c) => ({ apiKey: c.fx.serviceApiKey })) },
  "AuthService/RequestPasswordReset": { variants: one(() => ({ email: "nobody@matrix.example.org" })) },
  "AuthService/ResetPassword": { variants: one(() => ({ token: token(), newPassword: "another long password" })), handlerReasons: ["INVALID_LINK_TOKEN"] },
  "AuthService/ChangePassword": { variants: one(() => ({ currentPassword: "not the password", newPassword: "another long password" })), handlerReasons: ["WRONG_PASSWORD"] },
  "AuthService/ListSessions": { variants: one(() => ({})) },
  "AuthService/RevokeSession": { variants: one(() => ({ sessionId: uuid() })) },
  "AuthService/WhoAmI": { variants: one(() => ({})) },
  "AuthService/ClaimSetup": { variants: one(() => ({ setupToken: token(), email: "setup@matrix.example.org", password: PASSWORD, displayName: "Setup" })), handlerReasons: ["INVALID_SETUP_TOKEN"] },

  // AccountService
  "AccountService/GetAccount": {
    orgless: ["self", "person"],
    variants: {
      self: (c) => ({ accountId: c.who.accountId ?? c.fx.victims.update }),
      person: (c) => ({ accountId: c.fx.victims.update }),
      serviceAccount: (c) => ({ accountId: c.org.serviceAccountId }),
    },
  },
  "AccountService/ListAccounts": { variants: one(() => ({})) },
  "AccountService/UpdateAccount": {
    orgless: ["self", "person"],
    variants: {
      self: (c) => ({ account: { id: c.who.accountId ?? c.fx.victims.update, displayName: `${c.who.name}` }, updateMask: mask("display_name") }),
      person: (c) => ({ account: { id: c.fx.victims.update, displayName: "Victim" }, updateMask: mask("display_name") }),
      serviceAccount: (c) => ({ account: { id: c.org.victims.update, displayName: "Victim bot" }, updateMask: mask("display_name") }),
    },
  },
  // Each with its own victims, so the two never race on one row.
  "AccountService/DisableAccount": {
    orgless: ["person"],
    variants: { person: (c) => ({ accountId: c.fx.victims.disable }), serviceAccount: (c) => ({ accountId: c.org.victims.disable }) },
  },
  "AccountService/EnableAccount": {
    orgless: ["person"],
    variants: { person: (c) => ({ accountId: c.fx.victims.enable }), serviceAccount: (c) => ({ accountId: c.org.victims.enable }) },
  },
  "AccountService/DeleteAccount": {
    late: true,
    orgless: ["person"],
    restore: async (c, allowed) => {
      if (allowed && c.who.name !== "anonymous") c.fx.doomed.person = (await c.fx.register("doomed")).accountId;
    },
    variants: {
      person: (c) => ({ accountId: c.fx.doomed.person }),
      serviceAccount: async (c) => {
        const sa = await clientFor(AccountService, c.fx.url, root(c.fx)).createServiceAccount({ orgId: c.org.id, displayName: "Doomed bot", role: "guest" });
        c.fx.world.parents.set(`account/${sa.serviceAccount!.id}`, c.org.resource);
        return { accountId: sa.serviceAccount!.id };
      },
    },
  },
  "AccountService/CreateServiceAccount": { variants: one((c) => ({ orgId: c.org.id, displayName: "Matrix bot", role: "guest" })) },
  "AccountService/ListServiceAccounts": { variants: one((c) => ({ orgId: c.org.id })) },
  "AccountService/CreateApiKey": { variants: one((c) => ({ serviceAccountId: c.org.serviceAccountId, name: "matrix" })) },
  "AccountService/ListApiKeys": { variants: one((c) => ({ serviceAccountId: c.org.serviceAccountId })) },
  "AccountService/RevokeApiKey": { variants: one((c) => ({ serviceAccountId: c.org.serviceAccountId, apiKeyId: uuid() })) },

  // OrgProjectService
  "OrgProjectService/CreateOrg": { variants: one(() => ({ slug: unique("made"), displayName: "Made by the matrix" })) },
  "OrgProjectService/GetOrg": { variants: one((c) => ({ orgId: c.org.id })) },
  "OrgProjectService/ListOrgs": { variants: one(() => ({})) },
  "OrgProjectService/UpdateOrg": { variants: one((c) => ({ org: { id: c.org.id, slug: "ignored", displayName: `Org ${c.org.key}`, description: c.who.name }, updateMask: mask("description") })) },
  "OrgProjectService/DeleteOrg": {
    late: true,
    // A fresh org where the caller holds exactly the org roles it holds on the fixture org.
    variants: one(async (c) => {
      const { org } = await clientFor(OrgProjectService, c.fx.url, root(c.fx)).createOrg({ slug: unique("doomed"), displayName: "Doomed" });
      for (const b of c.who.bindings.filter((b) => b.resource === c.org.resource)) await c.fx.grant(c.who, { role: b.role, resource: `org/${org!.id}` });
      return { orgId: org!.id };
    }),
  },
  "OrgProjectService/CreateProject": { variants: one((c) => ({ orgId: c.org.id, slug: unique("made"), displayName: "Made by the matrix" })) },
  "OrgProjectService/GetProject": { variants: one((c) => ({ projectId: c.org.projectId })) },
  "OrgProjectService/ListProjects": { variants: one((c) => ({ orgId: c.org.id })) },
  "OrgProjectService/UpdateProject": {
    variants: one((c) => ({ project: { id: c.org.projectId, orgId: c.org.id, slug: "ignored", displayName: "Project", description: c.who.name }, updateMask: mask("description") })),
  },
  "OrgProjectService/DeleteProject": {
    late: true,
    variants: one(async (c) => {
      const { project } = await clientFor(OrgProjectService, c.fx.url, root(c.fx)).createProject({ orgId: c.org.id, slug: unique("doomed"), displayName: "Doomed" });
      c.fx.world.parents.set(`project/${project!.id}`, c.org.resource);
      return { projectId: project!.id };
    }),
  },

  // AuthzService
  "AuthzService/Check": { variants: one((c) => ({ question: { principalId: c.who.accountId ?? "", permission: "community.read", resource: c.org.mo.resource } })) },
  "AuthzService/CheckBatch": { variants: one((c) => ({ questions: [{ principalId: c.who.accountId ?? "", permission: "community.read", resource: c.org.mo.resource }] })) },
  "AuthzService/CheckMyPermissions": { variants: one((c) => ({ resource: c.org.mo.resource, permissions: ["community.read", "voting.poll.create"] })) },
  "AuthzService/Explain": {
    variants: {
      org: (c) => ({ principalId: c.fx.grantee.accountId, permission: "sys.org.read", resource: c.org.resource }),
      community: (c) => ({ principalId: c.fx.grantee.accountId, permission: "community.read", resource: c.org.mo.resource }),
    },
  },
  "AuthzService/ListRoles": { variants: one(() => ({})) },
  "AuthzService/GrantRole": {
    variants: {
      org: (c) => ({ accountId: c.fx.grantee.accountId, role: "org.guest", resource: c.org.resource }),
      community: (c) => ({ accountId: c.fx.grantee.accountId, role: "community.observer", resource: c.org.mo.resource }),
    },
  },
  // Not the roles GrantRole hands out, so the two never race on one binding.
  "AuthzService/RevokeRole": {
    variants: {
      org: (c) => ({ accountId: c.fx.grantee.accountId, role: "org.member", resource: c.org.resource }),
      community: (c) => ({ accountId: c.fx.grantee.accountId, role: "community.member", resource: c.org.mo.resource }),
    },
  },
  "AuthzService/ListRoleBindings": {
    variants: {
      org: (c) => ({ resource: c.org.resource }),
      project: (c) => ({ resource: `project/${c.org.projectId}` }),
      publicCommunity: (c) => ({ resource: c.org.pub.resource }),
      membersOnlyCommunity: (c) => ({ resource: c.org.mo.resource }),
    },
  },
  "AuthzService/ListAuditEvents": { variants: one(() => ({ pageSize: 5 })) },

  // CommunityService
  "CommunityService/CreateCommunity": { variants: one((c) => ({ orgId: c.org.id, slug: unique("made"), name: "Made", visibility: Visibility.MEMBERS_ONLY, joinPolicy: JoinPolicy.INVITE })) },
  "CommunityService/GetCommunity": { variants: communities((_, k) => ({ communityId: k.id })) },
  "CommunityService/ListCommunities": { variants: one(() => ({})) },
  "CommunityService/UpdateCommunity": { variants: communities((c, k) => ({ community: { id: k.id, description: c.who.name }, updateMask: mask("description") })) },
  "CommunityService/ArchiveCommunity": {
    late: true,
    variants: communities((_, k) => ({ communityId: k.id })),
    restore: async (c, allowed) => {
      if (!allowed) return;
      const client = clientFor(CommunityService, c.fx.url, root(c.fx));
      for (const k of [c.org.pub, c.org.mo]) await client.unarchiveCommunity({ communityId: k.id }).catch(() => undefined);
    },
  },
  "CommunityService/UnarchiveCommunity": { variants: communities((_, k) => ({ communityId: k.id })) },
  "CommunityService/JoinCommunity": { variants: one((c) => ({ communityId: c.fx.joinCommunityId })) },
  "CommunityService/ListJoinRequests": { variants: communities((_, k) => ({ communityId: k.id })) },
  "CommunityService/DecideJoinRequest": { variants: communities((_, k) => ({ communityId: k.id, requestId: uuid(), approve: false })) },
  "CommunityService/CreateInvite": { variants: communities((_, k) => ({ communityId: k.id, role: MemberRole.OBSERVER })) },
  "CommunityService/AcceptInvite": { variants: one(() => ({ token: token() })) },
  "CommunityService/LeaveCommunity": { late: true, variants: one((c) => ({ communityId: c.fx.joinCommunityId })) },
  "CommunityService/RemoveMember": { variants: communities((_, k) => ({ communityId: k.id, accountId: uuid() })) },
  "CommunityService/SetMemberRole": { variants: communities((c, k) => ({ communityId: k.id, accountId: c.fx.pawnId, role: MemberRole.OBSERVER })) },
  "CommunityService/ListMembers": { variants: communities((_, k) => ({ communityId: k.id })) },
  "CommunityService/ListMembershipEvents": { variants: communities((_, k) => ({ communityId: k.id })) },

  // IdentityService: people's accounts sit under "platform" and bots' under their org, so links are asked about on
  // both; never on the principal's own account (the matrix model has no self rule for sys.identity.*). Unknown
  // links are NOT_FOUND and GitHub linking is FAILED_PRECONDITION (not configured here), both after authorization.
  "IdentityService/LinkIdentity": {
    orgless: ["person"],
    variants: {
      person: (c) => ({ accountId: c.fx.victims.update, platform: "matrix", platformUserId: uuid() }),
      serviceAccount: (c) => ({ accountId: c.org.victims.update, platform: "matrix", platformUserId: uuid() }),
    },
  },
  "IdentityService/ListIdentities": {
    orgless: ["person"],
    variants: { person: (c) => ({ accountId: c.fx.victims.update }), serviceAccount: (c) => ({ accountId: c.org.victims.update }) },
  },
  "IdentityService/UnlinkIdentity": {
    orgless: ["person"],
    variants: {
      person: (c) => ({ accountId: c.fx.victims.update, platform: "matrix", platformUserId: uuid() }),
      serviceAccount: (c) => ({ accountId: c.org.victims.update, platform: "matrix", platformUserId: uuid() }),
    },
  },
  "IdentityService/ResolveIdentity": { orgless: ["default"], variants: one(() => ({ platform: "github", platformUserId: uuid() })) },
  "IdentityService/LookupIdentities": { orgless: ["default"], variants: one((c) => ({ platform: "matrix", accountIds: [c.fx.victims.update] })) },
  // Between two victims nothing else links: moves whatever LinkIdentity gave the first to the second.
  "IdentityService/MergeIdentities": { orgless: ["default"], variants: one((c) => ({ sourceAccountId: c.fx.victims.disable, targetAccountId: c.fx.victims.enable })) },
  "IdentityService/StartGitHubLink": { orgless: ["default"], variants: one(() => ({})) },
  "IdentityService/CompleteGitHubLink": { orgless: ["default"], variants: one(() => ({ code: "matrix-code", state: token() })) },

  // DiscoService
  "DiscoService/CreateListing": { variants: one((c) => ({ orgId: c.org.id, title: "Matrix listing", summary: "Made by the matrix" })) },
  "DiscoService/GetListing": { variants: one((c) => ({ listingId: c.org.listingId })) },
  "DiscoService/ListListings": { variants: one(() => ({})) },
  "DiscoService/DeleteListing": { variants: one((c) => ({ orgId: c.org.id, listingId: uuid() })) },

  // VotingService
  "VotingService/CreatePoll": { variants: communities((_, k) => ({ poll: pollBody(k.id) })) },
  "VotingService/GetPoll": { variants: communities((_, k) => ({ communityId: k.id, pollId: k.draftPollId })) },
  "VotingService/ListPolls": { variants: communities((_, k) => ({ communityId: k.id })) },
  "VotingService/UpdatePoll": { variants: communities((_, k) => ({ poll: { ...pollBody(k.id, k.draftPollId), body: "edited" }, updateMask: mask("body") })) },
  "VotingService/DeletePoll": { variants: communities((_, k) => ({ communityId: k.id, pollId: uuid() })) },
  "VotingService/OpenPoll": { variants: communities((_, k) => ({ communityId: k.id, pollId: k.openTargetPollId })) },
  "VotingService/ClosePoll": { late: true, variants: communities((_, k) => ({ communityId: k.id, pollId: k.closeTargetPollId })) },
  "VotingService/CastBallot": { variants: communities((_, k) => ({ communityId: k.id, pollId: k.votePollId, ballot: { choice: { case: "optionId", value: "a" } } })) },
  "VotingService/RetractBallot": { variants: communities((_, k) => ({ communityId: k.id, pollId: k.votePollId })) },
  "VotingService/GetMyBallot": { variants: communities((_, k) => ({ communityId: k.id, pollId: k.votePollId })) },
  "VotingService/ListBallots": { variants: communities((_, k) => ({ communityId: k.id, pollId: k.votePollId })) },
  "VotingService/GetResults": { variants: communities((_, k) => ({ communityId: k.id, pollId: k.votePollId })) },
  "VotingService/WatchPoll": { variants: communities((_, k) => ({ communityId: k.id, pollId: k.votePollId })) },
  "VotingService/SetDelegation": { variants: communities((c, k) => ({ communityId: k.id, delegateId: c.fx.grantee.accountId })) },
  "VotingService/RevokeDelegation": { variants: communities((_, k) => ({ communityId: k.id })) },
  "VotingService/ListDelegations": { variants: communities((_, k) => ({ communityId: k.id })) },
  "VotingService/ListActivity": { variants: communities((_, k) => ({ communityId: k.id })) },
  "VotingService/WatchActivity": { variants: communities((_, k) => ({ communityId: k.id })) },

  // GovernanceService: unknown ids are NOT_FOUND and a plugin not enabled is FAILED_PRECONDITION, both after
  // authorization; SetCommunityPlugins empties the list, so it runs late.
  "GovernanceService/ListPlugins": { variants: one(() => ({})) },
  "GovernanceService/EnablePlugin": { variants: communities((_, k) => ({ communityId: k.id, plugin: "randomness", platformId: unique("matrix") })) },
  "GovernanceService/UpdatePlugin": { variants: communities((_, k) => ({ communityId: k.id, instanceId: uuid(), config: {} })) },
  "GovernanceService/DisablePlugin": { variants: communities((_, k) => ({ communityId: k.id, instanceId: uuid() })) },
  "GovernanceService/SetCommunityPlugins": { late: true, variants: communities((_, k) => ({ communityId: k.id, plugins: [] })) },
  "GovernanceService/ListCommunityPlugins": { variants: communities((_, k) => ({ communityId: k.id })) },
  "GovernanceService/ListHooks": { variants: communities((_, k) => ({ communityId: k.id })) },
  "GovernanceService/RunAction": { variants: communities((_, k) => ({ communityId: k.id, action: "randomness.random-int", parameters: { low: 0, high: 10 } })) },
  "GovernanceService/RunPublicAction": { variants: communities((_, k) => ({ communityId: k.id, action: "randomness.random-int", parameters: { low: 0, high: 10 } })), handlerReasons: ["ACTION_NOT_PUBLIC"] },
  "GovernanceService/StartProcess": { variants: communities((_, k) => ({ communityId: k.id, process: "randomness.delayed-stochastic-vote", input: { options: ["a", "b"], delay: 60 } })) },
  "GovernanceService/GetProcess": { variants: communities((_, k) => ({ communityId: k.id, processId: uuid() })) },
  "GovernanceService/ListProcesses": { variants: communities((_, k) => ({ communityId: k.id })) },
  "GovernanceService/CloseProcess": { variants: communities((_, k) => ({ communityId: k.id, processId: uuid() })) },
  "GovernanceService/ListEvents": { variants: communities((_, k) => ({ communityId: k.id })) },
  "GovernanceService/WatchEvents": { variants: communities((_, k) => ({ communityId: k.id })) },
  "GovernanceService/CreateSubscription": { variants: communities((_, k) => ({ communityId: k.id, url: "https://drivers.example.org/events" })) },
  "GovernanceService/ListSubscriptions": { variants: communities((_, k) => ({ communityId: k.id })) },
  "GovernanceService/DeleteSubscription": { variants: communities((_, k) => ({ communityId: k.id, subscriptionId: uuid() })) },
  "GovernanceService/RotateCallbackSecret": { variants: communities((_, k) => ({ communityId: k.id })) },
  "GovernanceService/ListDeliveries": { variants: communities((_, k) => ({ communityId: k.id })) },
  "GovernanceService/ReplayDelivery": { variants: communities((_, k) => ({ communityId: k.id, deliveryId: uuid() })) },

  // ContributionsService: an unknown ledger entry is NOT_FOUND after authorization; Reconcile in a community
  // without a GitHub instance lists nothing.
  "ContributionsService/GetProgramme": { variants: communities((_, k) => ({ communityId: k.id })) },
  "ContributionsService/UpdateProgramme": { variants: communities((_, k) => ({ programme: { communityId: k.id, labels: ["Matrix Label"], pullRequestBadge: "Enthusiast" } })) },
  "ContributionsService/ListTickets": { variants: communities((_, k) => ({ communityId: k.id })) },
  "ContributionsService/GetLeaderboard": { variants: communities((_, k) => ({ communityId: k.id })) },
  "ContributionsService/GetContributor": { variants: communities((c, k) => ({ communityId: k.id, accountId: c.fx.victims.update })) },
  "ContributionsService/ListLedger": { variants: communities((_, k) => ({ communityId: k.id })) },
  "ContributionsService/ReverseEntry": { variants: communities((_, k) => ({ communityId: k.id, entryId: uuid() })) },
  "ContributionsService/Reconcile": { variants: communities((_, k) => ({ communityId: k.id })) },
  ...DIRECTORY_CASES,
  // The messaging module's services, one file per area.
  ...MESSAGING_CONTACT_CASES,
  ...MESSAGING_PROVIDER_CASES,
  ...MESSAGING_MESSAGE_CASES,
  ...MESSAGING_BLAST_CASES,
  ...MESSAGING_NOTIFICATION_CASES,
  // Timespace (sys): places and time, public reads.
  ...TIMESPACE_PLACES_CASES,
  ...TIMESPACE_TIME_CASES,
  // The disco module beyond listings: surveys and answers, campaigns, discovery, statistics.
  ...DISCO_SURVEY_CASES,
  ...DISCO_CAMPAIGN_CASES,
  ...DISCO_DISCOVERY_CASES,
  ...DISCO_STATISTICS_CASES,
};
