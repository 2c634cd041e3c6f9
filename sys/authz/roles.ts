// The built-in roles. A role grants permissions on the resource it is bound to and on everything below it
// (platform → org → project/community → poll). Ranks order who may grant what: nobody grants above their own.
// Permission patterns: an exact name, "*" (everything), "ns.*" (a namespace) or "*.read" (a last segment).

export type Scope = "platform" | "org" | "project" | "community";

export interface RoleDef {
  name: string;
  scope: Scope;
  rank: number;
  permissions: string[];
  description: string;
}

/**
 * Reading other people's email addresses (member lists, searches, accounts). Members see names; this is for
 * the admins of the org, project or community, for platform roles, and for oneself. Handlers ask it through
 * sys/authz/email-privacy.ts.
 */
export const READ_EMAIL_PERMISSION = "sys.account.read_email";

const orgRead = ["sys.org.read", "sys.project.read", "sys.service_account.read", "sys.role.read"];
const orgAdmin = [
  ...orgRead,
  "sys.org.update",
  "sys.org.delete",
  "sys.project.create",
  "sys.project.update",
  "sys.project.delete",
  "sys.service_account.manage",
  "sys.role.grant",
  "sys.authz.explain",
  READ_EMAIL_PERMISSION,
  // Communities and their votes live in an org; the org's admins run them.
  "community.*",
  "voting.*",
  // Governance plugins bridge the org's communities to outside platforms with its credentials.
  "governance.*",
  // Discovery listings speak for the org, so only its admins publish them.
  "disco.*",
  // Contribution programmes: settings, the points ledger and its reversals, reconciliation.
  "contributions.*",
  // Contacts, providers (with the org's credentials), messages, templates and blasts speak for the org.
  "messaging.*",
];
// What anyone may read of a community they can see; an observer holds exactly this (it cannot vote).
// Governance processes (a platform vote and its outcome) are as visible as the community's polls.
// A contribution programme's leaderboard, tickets and contributor pages are as visible as its polls.
const communityRead = ["community.read", "community.member.read", "community.activity.read", "voting.poll.read", "governance.process.read", "contributions.read"];
const communityMember = [...communityRead, "voting.ballot.cast", "voting.delegation.manage"];
const communityModerator = [
  ...communityMember,
  "community.member.approve",
  "community.member.invite",
  "community.member.remove",
  "community.member.role",
  "voting.poll.create",
  "voting.poll.update",
  "voting.poll.open",
  "voting.poll.close",
  // Running the community's plugins; enabling them, and where events are delivered, stays with admins.
  "governance.plugin.read",
  "governance.action.run",
  "governance.process.run",
  "governance.event.read",
];

export const ROLES: readonly RoleDef[] = [
  { name: "platform.superadmin", scope: "platform", rank: 100, permissions: ["*"], description: "Everything, everywhere" },
  {
    name: "platform.ops",
    scope: "platform",
    rank: 90,
    // Operators watch and stop abuse; they never change tenants' data or roles.
    permissions: ["*.read", "*.list", READ_EMAIL_PERMISSION, "sys.account.disable", "sys.audit.read", "sys.authz.explain", "sys.authz.check_any", "sys.identity.resolve"],
    description: "Reads everything, disables accounts (not those ranked above it), reads the audit log",
  },
  {
    name: "platform.identity_resolver",
    scope: "platform",
    rank: 15,
    // For the service account a mod-only process asks sys with when no caller's token applies (a webhook).
    permissions: ["sys.identity.resolve"],
    description: "Answers which account a platform user (a GitHub login) is linked to; for the mod tier's service account",
  },
  {
    name: "platform.mod_tier",
    scope: "platform",
    rank: 15,
    // For the service account a split mod tier's background work asks sys with (config modServiceApiKey): a blast,
    // a notification, a message retried by a worker has no caller whose token could read a members-only
    // community. Messaging reaches members where they are, never copying them, so the tier reads communities,
    // their members, and members' verified emails (the one address membership consents to) — nothing it could
    // change, no account lists or searches beyond members. Callers' own tokens still apply to RPCs they make.
    permissions: ["community.read", "community.member.read", READ_EMAIL_PERMISSION],
    description: "Reads communities, their members and members' verified emails, to message them; for the mod tier's service account",
  },
  { name: "org.admin", scope: "org", rank: 50, permissions: orgAdmin, description: "Runs the org: settings, projects, communities, members, service accounts" },
  { name: "org.member", scope: "org", rank: 20, permissions: ["sys.org.read", "sys.project.read", "sys.role.read", ...communityRead], description: "Sees the org, its projects, members and communities" },
  { name: "org.guest", scope: "org", rank: 10, permissions: ["sys.org.read"], description: "Sees the org itself" },
  {
    name: "project.admin",
    scope: "project",
    rank: 40,
    permissions: ["sys.project.read", "sys.project.update", "sys.role.read", "sys.role.grant", "sys.authz.explain", READ_EMAIL_PERMISSION, "disco.survey.*", "disco.answer.read", "disco.campaign.*", "disco.statistics.read"],
    description: "Runs one project, its members, surveys and campaigns",
  },
  { name: "project.member", scope: "project", rank: 20, permissions: ["sys.project.read", "sys.role.read"], description: "Works in one project" },
  {
    name: "community.admin",
    scope: "community",
    rank: 40,
    permissions: ["community.*", "voting.*", "governance.*", "contributions.*", "messaging.notification.read", "messaging.notification.manage", "sys.role.read", "sys.role.grant", "sys.authz.explain", READ_EMAIL_PERMISSION],
    description: "Runs one community: settings, members, polls, governance plugins",
  },
  { name: "community.moderator", scope: "community", rank: 30, permissions: [...communityModerator, "sys.role.read"], description: "Invites members, runs polls" },
  { name: "community.member", scope: "community", rank: 20, permissions: [...communityMember, "sys.role.read"], description: "Votes and delegates" },
  { name: "community.observer", scope: "community", rank: 10, permissions: communityRead, description: "Reads the community, its polls and results; cannot vote" },
];

const byName = new Map(ROLES.map((r) => [r.name, r]));

export function roleOf(name: string): RoleDef | undefined {
  return byName.get(name);
}

/** What a principal may do on `account/<its own id>` without any role. */
export const SELF_PERMISSIONS: ReadonlySet<string> = new Set(["sys.account.read", "sys.account.update", READ_EMAIL_PERMISSION, "sys.identity.read", "sys.identity.unlink"]);

/**
 * What every active account may do on "platform" without any role: ask about itself (the mod tier forwards the
 * caller's token to Check) and — for people — found an org, becoming its admin (self-service tenancy).
 */
export const BASELINE_PERMISSIONS: Readonly<Record<"person" | "service", ReadonlySet<string>>> = {
  person: new Set(["sys.authz.check", "sys.org.create"]),
  service: new Set(["sys.authz.check"]),
};

export function permissionMatches(pattern: string, permission: string): boolean {
  if (pattern === "*" || pattern === permission) return true;
  if (pattern.endsWith(".*")) return permission.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith("*.")) return permission.endsWith(pattern.slice(1));
  return false;
}

export function roleGrants(role: RoleDef, permission: string): boolean {
  return role.permissions.some((pattern) => permissionMatches(pattern, permission));
}

/** The scope a resource path belongs to ("org/…" → "org"), or undefined for kinds no role binds to. */
export function scopeOfResource(resource: string): Scope | undefined {
  if (resource === "platform") return "platform";
  const kind = resource.slice(0, resource.indexOf("/"));
  return kind === "org" || kind === "project" || kind === "community" ? kind : undefined;
}
