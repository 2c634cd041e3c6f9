// What a person may type where the API wants a UUID: the full id, a unique prefix of it (as `polls list` shows
// 8 characters), a slug, a title or name matched exactly, or an email. Every command resolves through here, so
// the rules and the errors are the same everywhere. A full UUID is passed through without a listing call.
import { Code, ConnectError } from "@connectrpc/connect";
import { UsageError } from "./exit.js";
import type { Session } from "./session.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A prefix must be long enough that a typo is unlikely to hit another id by chance. */
const PREFIX = /^[0-9a-f][0-9a-f-]{3,35}$/i;
/** Listing stops here: resolution is for people typing names, not for scanning huge scopes. */
const MAX_PAGES = 25;

export const isUuid = (s: string): boolean => UUID.test(s);
export const looksLikePrefix = (s: string): boolean => PREFIX.test(s) && !isUuid(s);

/** A thing a reference may name: its id, the words that name it exactly (slug, title, email), and how to show it. */
export interface Candidate {
  id: string;
  names: string[];
  label: string;
}

/** Raised when a reference names nothing or more than one thing; `reason` is for --json. */
export class RefError extends UsageError {
  constructor(message: string, readonly reason: "NO_MATCH" | "AMBIGUOUS", readonly candidates: Candidate[] = []) {
    super(message);
  }
}

/**
 * Picks the one candidate `ref` names: an exact id, else an exact name (case-insensitive), else a unique id
 * prefix. `kind` ("poll", "community") and `listHint` (the command that lists them) make the error helpful.
 */
export function pick(kind: string, ref: string, candidates: Candidate[], listHint: string, accepts = "a slug, a name or an id"): string {
  const r = ref.trim().toLowerCase();
  const byId = candidates.find((c) => c.id.toLowerCase() === r);
  if (byId) return byId.id;
  const named = candidates.filter((c) => c.names.some((n) => n && n.toLowerCase() === r));
  if (named.length === 1) return named[0].id;
  if (named.length > 1) throw ambiguous(kind, ref, named);
  const prefixed = PREFIX.test(r) ? candidates.filter((c) => c.id.toLowerCase().startsWith(r)) : [];
  if (prefixed.length === 1) return prefixed[0].id;
  if (prefixed.length > 1) throw ambiguous(kind, ref, prefixed);
  throw new RefError(`No ${kind} matches "${ref}". See them with \`${listHint}\`, then pass ${accepts} (a unique id prefix is enough).`, "NO_MATCH");
}

function ambiguous(kind: string, ref: string, hits: Candidate[]): RefError {
  const shown = hits.slice(0, 8).map((c) => `  ${c.id}  ${c.label}`).join("\n");
  const more = hits.length > 8 ? `\n  … and ${hits.length - 8} more` : "";
  return new RefError(`"${ref}" matches ${hits.length} ${plural(kind)}. Pass more of the id to pick one:\n${shown}${more}`, "AMBIGUOUS", hits);
}

const plural = (kind: string) => (kind.endsWith("y") ? `${kind.slice(0, -1)}ies` : `${kind}s`);

/** Collects a paged list, up to MAX_PAGES pages. */
export async function listAll<T>(fetch: (pageToken: string) => Promise<{ items: T[]; next: string }>): Promise<T[]> {
  const all: T[] = [];
  let token = "";
  for (let i = 0; i < MAX_PAGES; i++) {
    const { items, next } = await fetch(token);
    all.push(...items);
    if (!next) break;
    token = next;
  }
  return all;
}

/** A prefix cannot be searched for by query, so it lists everything; a word is passed to the server's search. */
const queryFor = (ref: string) => (looksLikePrefix(ref) ? "" : ref.trim());

export async function resolveCommunity(s: Session, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const list = await listAll(async (pageToken) => {
    const res = await s.client.communities.listCommunities({ query: queryFor(ref), pageSize: 200, pageToken, includeArchived: true });
    return { items: res.communities, next: res.nextPageToken };
  });
  return pick("community", ref, list.map((c) => ({ id: c.id, names: [c.slug, c.name], label: `${c.slug} (${c.name})` })), "polity communities list");
}

export async function resolveOrg(s: Session, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const list = await listAll(async (pageToken) => {
    const res = await s.client.orgs.listOrgs({ query: queryFor(ref), pageSize: 200, pageToken });
    return { items: res.orgs, next: res.nextPageToken };
  });
  return pick("org", ref, list.map((o) => ({ id: o.id, names: [o.slug, o.displayName], label: `${o.slug} (${o.displayName})` })), "polity orgs list");
}

export async function resolveProject(s: Session, org: string | undefined, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  if (!org) throw new UsageError(`"${ref}" is not a project id. Pass --org ORG to name a project by slug or id prefix, or pass its full id.`);
  const orgId = await resolveOrg(s, org);
  const list = await listAll(async (pageToken) => {
    const res = await s.client.orgs.listProjects({ orgId, query: queryFor(ref), pageSize: 200, pageToken });
    return { items: res.projects, next: res.nextPageToken };
  });
  return pick("project", ref, list.map((p) => ({ id: p.id, names: [p.slug, p.displayName], label: `${p.slug} (${p.displayName})` })), `polity projects list --org ${org}`);
}

export async function resolvePoll(s: Session, communityId: string, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const list = await listAll(async (pageToken) => {
    const res = await s.client.voting.listPolls({ communityId, pageSize: 200, pageToken });
    return { items: res.polls, next: res.nextPageToken };
  });
  return pick("poll", ref, list.map((p) => ({ id: p.id, names: [p.title], label: p.title })), "polity polls list", "its exact title or its id");
}

/** A member of a community: an account id (or prefix), "me", a display name, or an email (matched by the server). */
export async function resolveMember(s: Session, communityId: string, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  if (ref === "me") return (await s.client.auth.whoAmI({})).accountId;
  const email = ref.includes("@");
  const list = await listAll(async (pageToken) => {
    const res = await s.client.communities.listMembers({ communityId, query: queryFor(ref), pageSize: 1000, pageToken });
    return { items: res.members, next: res.nextPageToken };
  });
  // Members carry no email; the server's query matched it for those who may see emails, so each hit names the member.
  const candidates = list.map((m) => ({ id: m.accountId, names: email ? [ref] : [m.displayName], label: m.displayName }));
  if (email && candidates.length === 0) {
    throw new RefError(`No member of this community has the email "${ref}" (or you may not see members' emails). Pass their account id from \`polity members list\`.`, "NO_MATCH");
  }
  return pick("member", ref, candidates, "polity members list", "an email, a name or an account id");
}

/** Any account: an id (or prefix with admin rights), "me", or an email; falls back to a community's members. */
export async function resolveAccount(s: Session, ref: string, resource = ""): Promise<string> {
  if (isUuid(ref)) return ref;
  if (ref === "me") return (await s.client.auth.whoAmI({})).accountId;
  const community = /^community\/(.+)$/.exec(resource)?.[1];
  try {
    const list = await listAll(async (pageToken) => {
      const res = await s.client.accounts.listAccounts({ query: queryFor(ref), pageSize: 200, pageToken });
      return { items: res.accounts, next: res.nextPageToken };
    });
    return pick("account", ref, list.map((a) => ({ id: a.id, names: [a.email], label: `${a.email} (${a.displayName})` })), "polity accounts list", "an email or an account id");
  } catch (err) {
    // Listing accounts is a platform admin's right; a community admin can still name that community's members.
    if (ConnectError.from(err).code !== Code.PermissionDenied) throw err;
    if (community) return resolveMember(s, await resolveCommunity(s, community), ref);
    throw new RefError(`You may not look accounts up by email or prefix here. Pass the full account id (the person can see it with \`polity whoami\`).`, "NO_MATCH");
  }
}

/** "community/makers" → "community/<uuid>", "org/open-coop" → "org/<uuid>"; "platform" and full ids pass through. */
export async function resolveResource(s: Session, resource: string): Promise<string> {
  const m = /^(org|project|community)\/(.+)$/.exec(resource);
  if (!m || isUuid(m[2])) return resource;
  const [, kind, ref] = m;
  if (kind === "community") return `community/${await resolveCommunity(s, ref)}`;
  if (kind === "org") return `org/${await resolveOrg(s, ref)}`;
  throw new UsageError(`"${resource}": name a project by its full id, e.g. project/<uuid> (see \`polity projects list --org ORG\`).`);
}
