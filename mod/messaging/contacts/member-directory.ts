// Community members as recipients, read through sys's directory and never copied. The directory port names
// members by account only; names and emails come from an optional `profilesOf` a directory may offer (sys does
// not yet), so until then members are listed and opted out by account but carry no addresses.
import type { DirectoryPort, MemberRecord } from "../../../sys/core/ports/directory-port.js";

export interface MemberProfile {
  accountId: string;
  displayName: string;
  /** Only a verified email: an unverified one may belong to someone else. */
  email?: string;
}

/** What sys's directory would offer for members to be reached by email (reported as missing). */
export interface DirectoryWithProfiles extends DirectoryPort {
  profilesOf?(accountIds: string[], bearer?: string): Promise<MemberProfile[]>;
}

// A blast reads a community once per page; a membership change shows within this long.
const MEMBERS_TTL_MS = 10_000;

export interface MemberDirectory {
  /**
   * The community's members (sorted by account id), if the community belongs to the org. `bearer` is the RPC
   * caller's (a split deployment asks sys as the caller); background work has none.
   */
  membersOf(orgId: string, communityId: string, bearer?: string): Promise<MemberRecord[] | undefined>;
  isMember(orgId: string, communityId: string, accountId: string, bearer?: string): Promise<boolean>;
  profilesOf(accountIds: string[]): Promise<Map<string, MemberProfile>>;
}

const caches = new WeakMap<DirectoryPort, MemberDirectory>();

export function memberDirectory(directory: DirectoryWithProfiles): MemberDirectory {
  const known = caches.get(directory);
  if (known) return known;
  const cache = new Map<string, { at: number; members: MemberRecord[] | undefined; ids: Set<string> }>();

  const load = async (orgId: string, communityId: string, bearer?: string) => {
    const key = `${orgId}/${communityId}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < MEMBERS_TTL_MS) return hit;
    const community = await directory.getCommunity(communityId, bearer);
    const members =
      community && community.orgId === orgId
        ? (await directory.listMembers(communityId, [], bearer)).sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0))
        : undefined;
    const entry = { at: Date.now(), members, ids: new Set((members ?? []).map((m) => m.accountId)) };
    if (cache.size > 1000) cache.clear();
    // Only a found community is kept: one hidden from an anonymous caller may be visible to the next.
    if (members) cache.set(key, entry);
    return entry;
  };

  const api: MemberDirectory = {
    async membersOf(orgId, communityId, bearer) {
      return (await load(orgId, communityId, bearer)).members;
    },
    async isMember(orgId, communityId, accountId, bearer) {
      return (await load(orgId, communityId, bearer)).ids.has(accountId);
    },
    async profilesOf(accountIds) {
      const profiles = accountIds.length && directory.profilesOf ? await directory.profilesOf(accountIds) : [];
      return new Map(profiles.map((p) => [p.accountId, p]));
    },
  };
  caches.set(directory, api);
  return api;
}
