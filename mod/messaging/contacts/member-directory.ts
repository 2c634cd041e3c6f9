// Community members as recipients, read through sys's directory and never copied: who the members are, and
// their names and verified emails (profilesOf). An RPC passes its caller's bearer, so sys answers with the
// caller's permissions; background work (a blast, a notification, a send retried by a worker) passes none, and
// a split deployment then asks as the mod tier's service account (sys/core/ports/remote-directory.ts).
//
// Background answers are cached briefly, and the profile lookups of concurrent sends coalesce into one batched
// call per turn: a blast's workers send thousands of messages a second, each loading its recipient. Answers for
// a caller's bearer are never cached, so nobody is served what another principal may read (emails above all).
import type { DirectoryPort, MemberProfile, MemberRecord } from "../../../sys/core/ports/directory-port.js";
import { batchPerTurn } from "../../../sys/core/sql.js";

export type { MemberProfile };

// A blast reads a community once per page; a membership change (or a changed email) shows within this long.
const TTL_MS = 10_000;
const MAX_CACHED = 50_000;

export interface MemberDirectory {
  /**
   * The community's members (sorted by account id), if the community belongs to the org. `bearer` is the RPC
   * caller's (a split deployment asks sys as the caller); background work has none.
   */
  membersOf(orgId: string, communityId: string, bearer?: string): Promise<MemberRecord[] | undefined>;
  isMember(orgId: string, communityId: string, accountId: string, bearer?: string): Promise<boolean>;
  /** The profile of a member of the org's community; undefined if the community is not the org's or not a member. */
  memberProfile(orgId: string, communityId: string, accountId: string, bearer?: string): Promise<MemberProfile | undefined>;
  /** Profiles of those of `accountIds` who are members of the community (names; verified emails if readable). */
  profilesOf(communityId: string, accountIds: string[], bearer?: string): Promise<Map<string, MemberProfile>>;
}

const caches = new WeakMap<DirectoryPort, MemberDirectory>();

function expiring<V>() {
  const entries = new Map<string, { at: number; value: V }>();
  return {
    get: (key: string) => {
      const hit = entries.get(key);
      return hit && Date.now() - hit.at < TTL_MS ? hit : undefined;
    },
    set: (key: string, value: V) => {
      if (entries.size >= MAX_CACHED) entries.clear();
      entries.set(key, { at: Date.now(), value });
    },
  };
}

export function memberDirectory(directory: DirectoryPort): MemberDirectory {
  const known = caches.get(directory);
  if (known) return known;
  const lists = expiring<MemberRecord[]>();
  const orgs = expiring<string | undefined>();
  const profiles = expiring<MemberProfile | undefined>();

  /** The community's org, if the caller (or the service account) may see the community. */
  const orgOf = async (communityId: string, bearer?: string) => {
    const hit = !bearer && orgs.get(communityId);
    if (hit) return hit.value;
    const orgId = (await directory.getCommunity(communityId, bearer))?.orgId;
    if (!bearer) orgs.set(communityId, orgId);
    return orgId;
  };

  // Background lookups of one community coalesce per turn; each batch is at most the directory's 500 ids.
  const loaders = new Map<string, (accountId: string) => Promise<MemberProfile | undefined>>();
  const backgroundProfile = (communityId: string, accountId: string) => {
    let load = loaders.get(communityId);
    if (!load) {
      load = batchPerTurn(async (ids: string[]) => {
        const found = new Map((await directory.profilesOf(communityId, [...new Set(ids)])).map((p) => [p.accountId, p]));
        return ids.map((id) => found.get(id));
      });
      if (loaders.size > 1000) loaders.clear();
      loaders.set(communityId, load);
    }
    return load(accountId);
  };

  const api: MemberDirectory = {
    async membersOf(orgId, communityId, bearer) {
      const key = `${orgId}/${communityId}`;
      const hit = lists.get(key);
      if (hit) return hit.value;
      if ((await orgOf(communityId, bearer)) !== orgId) return undefined;
      const members = (await directory.listMembers(communityId, [], bearer)).sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
      // Only a found community is kept: one hidden from an anonymous caller may be visible to the next.
      lists.set(key, members);
      return members;
    },

    async isMember(orgId, communityId, accountId, bearer) {
      if ((await orgOf(communityId, bearer)) !== orgId) return false;
      return directory.isMember(communityId, accountId, bearer);
    },

    async memberProfile(orgId, communityId, accountId, bearer) {
      if ((await orgOf(communityId, bearer)) !== orgId) return undefined;
      if (bearer) return (await directory.profilesOf(communityId, [accountId], bearer))[0];
      const key = `${communityId}/${accountId}`;
      const hit = profiles.get(key);
      if (hit) return hit.value;
      const profile = await backgroundProfile(communityId, accountId);
      profiles.set(key, profile);
      return profile;
    },

    async profilesOf(communityId, accountIds, bearer) {
      if (accountIds.length === 0) return new Map();
      const found = await directory.profilesOf(communityId, accountIds, bearer);
      if (!bearer) {
        const byId = new Map(found.map((p) => [p.accountId, p]));
        for (const id of accountIds) profiles.set(`${communityId}/${id}`, byId.get(id));
      }
      return new Map(found.map((p) => [p.accountId, p]));
    },
  };
  caches.set(directory, api);
  return api;
}
