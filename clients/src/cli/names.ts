// Names for ids in tables: members' display names and polls' titles of one community, fetched once per
// command. Whoever may not list members (an anonymous reader) still gets a table, with short ids instead.
import { listAll } from "./resolve.js";
import { shortId } from "./output.js";
import type { Session } from "./session.js";

export type Names = (id: string) => string;

async function lookup(load: () => Promise<[string, string][]>): Promise<Names> {
  let map = new Map<string, string>();
  try {
    map = new Map(await load());
  } catch {
    // Names are a courtesy: without the right to list, the id is shown.
  }
  return (id) => (id ? (map.get(id) ?? shortId(id)) : "");
}

export function memberNames(s: Session, communityId: string): Promise<Names> {
  return lookup(async () => {
    const members = await listAll(async (pageToken) => {
      const res = await s.client.communities.listMembers({ communityId, pageSize: 1000, pageToken });
      return { items: res.members, next: res.nextPageToken };
    });
    return members.map((m) => [m.accountId, m.displayName || shortId(m.accountId)]);
  });
}

export function pollTitles(s: Session, communityId: string): Promise<Names> {
  return lookup(async () => {
    const polls = await listAll(async (pageToken) => {
      const res = await s.client.voting.listPolls({ communityId, pageSize: 200, pageToken });
      return { items: res.polls, next: res.nextPageToken };
    });
    return polls.map((p) => [p.id, p.title]);
  });
}

export function communityNames(s: Session): Promise<Names> {
  return lookup(async () => {
    const list = await listAll(async (pageToken) => {
      const res = await s.client.communities.listCommunities({ pageSize: 200, pageToken, includeArchived: true });
      return { items: res.communities, next: res.nextPageToken };
    });
    return list.map((c) => [c.id, c.slug]);
  });
}

export function orgNames(s: Session): Promise<Names> {
  return lookup(async () => {
    const list = await listAll(async (pageToken) => {
      const res = await s.client.orgs.listOrgs({ pageSize: 200, pageToken });
      return { items: res.orgs, next: res.nextPageToken };
    });
    return list.map((o) => [o.id, o.slug]);
  });
}

/** "community/<uuid>" → "community/makers", "org/<uuid>" → "org/open-coop"; others as they are. */
export async function resourceNames(s: Session): Promise<Names> {
  const [community, org] = await Promise.all([communityNames(s), orgNames(s)]);
  return (resource) => {
    const m = /^(community|org)\/(.+)$/.exec(resource);
    if (!m) return resource;
    return `${m[1]}/${(m[1] === "community" ? community : org)(m[2])}`;
  };
}
