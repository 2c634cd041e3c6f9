// The expected decision of one matrix cell, computed from the rule and the role table alone: no call to the
// server's engine. What the fixture did (who holds which role where, what sits under what, which communities
// are public) is the model; the rules of the decision are written out here once, from the README and the proto:
// roles grant on their resource and everything below it (platform → org → project/community), every role held
// counts, a public community opens its reads to everyone, a person reads and updates their own account, any
// active person may found an org, unverified accounts get only what allow_restricted calls allow, and a revoked
// token (signed out, account disabled) is refused outright.
import type { AccessRule } from "../../../clients/src/gen/polity/options/v1/options_pb.js";
import { ROLES } from "../../../sys/authz/index.js";

export interface Binding {
  role: string;
  resource: string;
}

export interface ModelPrincipal {
  name: string;
  /** Undefined for the anonymous caller. */
  accountId?: string;
  kind: "person" | "service";
  verified: boolean;
  bindings: Binding[];
  /** Its token was revoked (signed out, or the account disabled): refused on every call, public ones too. */
  revoked?: boolean;
}

export interface World {
  /** Parent of a resource ("project/…" → "org/…"); "platform" for top-level ones. */
  parentOf(resource: string): string;
  /** Whether the resource is a public community. */
  isPublicCommunity(resource: string): boolean;
}

/** What a public community lets anyone do (README: "Public communities, their polls, results and activity are readable without signing in", and their contributions leaderboard). */
const PUBLIC_COMMUNITY_READS = new Set(["community.read", "community.member.read", "community.activity.read", "voting.poll.read", "contributions.read"]);
/** The platform answers Check about oneself or the anonymous principal to anyone (the mod tier asks it). */
const PUBLIC_ON_PLATFORM = new Set(["sys.authz.check"]);
/** A person's own account. */
const SELF = new Set(["sys.account.read", "sys.account.update", "sys.identity.read", "sys.identity.unlink"]);
/** Any active account on "platform", without a role. */
const BASELINE = { person: new Set(["sys.authz.check", "sys.org.create"]), service: new Set(["sys.authz.check"]) };

function matches(pattern: string, permission: string): boolean {
  if (pattern === "*" || pattern === permission) return true;
  if (pattern.endsWith(".*")) return permission.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith("*.")) return permission.endsWith(pattern.slice(1));
  return false;
}

export function roleGrants(roleName: string, permission: string): boolean {
  const role = ROLES.find((r) => r.name === roleName);
  if (!role) throw new Error(`the fixture binds an unknown role ${roleName}`);
  return role.permissions.some((p) => matches(p, permission));
}

export function chainOf(world: World, resource: string): string[] {
  const chain = [resource];
  while (chain[chain.length - 1] !== "platform") chain.push(world.parentOf(chain[chain.length - 1]));
  return chain;
}

function madePublic(world: World, permission: string, chain: string[]): boolean {
  return chain.some((r) => (r === "platform" ? PUBLIC_ON_PLATFORM.has(permission) : world.isPublicCommunity(r) && PUBLIC_COMMUNITY_READS.has(permission)));
}

/** Whether the rule lets `who` (undefined: no token) call with a request naming `resource`. */
export function expectAllowed(rule: AccessRule, who: ModelPrincipal, resource: string, world: World): boolean {
  if (who.revoked) return false;
  if (rule.public) return true;
  const chain = chainOf(world, resource);
  if (!who.accountId) return rule.allowAnonymous && rule.permission !== "" && madePublic(world, rule.permission, chain);
  const restricted = who.kind === "person" && !who.verified;
  if (rule.authenticated) return !restricted || rule.allowRestricted;
  if (madePublic(world, rule.permission, chain)) return true;
  if (restricted && !rule.allowRestricted) return false;
  if (who.bindings.some((b) => chain.includes(b.resource) && roleGrants(b.role, rule.permission))) return true;
  if (resource === `account/${who.accountId}` && SELF.has(rule.permission)) return true;
  return resource === "platform" && BASELINE[who.kind].has(rule.permission);
}

/** Whether `who` administers `resource` (holds a role granting sys.role.grant on it or above): may read its members' emails. */
export function administers(who: ModelPrincipal, resource: string, world: World): boolean {
  const chain = chainOf(world, resource);
  return who.bindings.some((b) => chain.includes(b.resource) && (b.role.startsWith("platform.") || roleGrants(b.role, "sys.role.grant")));
}
