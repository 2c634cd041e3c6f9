// How the mod tier learns about communities and their members, which live in sys. One process: direct reads
// through sys's community module. Two binaries: Connect calls to sys's CommunityService that carry the
// caller's own bearer, so sys applies the caller's permissions, or — for background work that has no caller (a
// notification, a blast being sent) — the mod tier's service credential (remote-directory.ts).

export type CommunityRole = "admin" | "moderator" | "member" | "observer";

export interface CommunityInfo {
  id: string;
  orgId: string;
  visibility: "public" | "members_only";
  archived: boolean;
}

/** A sys project, as disco's admin writes learn its org (never from the request). */
export interface ProjectInfo {
  id: string;
  orgId: string;
  displayName: string;
  slug: string;
}

export interface MemberRecord {
  accountId: string;
  role: CommunityRole;
}

/** What messaging needs to reach a member, read from sys and never copied. */
export interface MemberProfile {
  accountId: string;
  displayName: string;
  /** Only a verified email (an unverified one may belong to someone else), and only for who may read it. */
  email?: string;
}

export interface MembershipEventRecord {
  // 1, 2, 3… per community, in order.
  sequence: number;
  communityId: string;
  // "joined", "requested", "approved", "denied", "invited", "left", "removed", "role_changed".
  kind: string;
  accountId: string;
  actorId: string;
  role: CommunityRole | "";
  time: Date;
}

export interface DirectoryPort {
  /** undefined when the community does not exist (or the caller may not know it does). */
  getCommunity(communityId: string, bearer?: string): Promise<CommunityInfo | undefined>;
  /** undefined when the project does not exist (or the caller may not know it does). */
  getProject(projectId: string, bearer?: string): Promise<ProjectInfo | undefined>;
  /** Every member holding one of `roles` (all roles when empty), all pages. */
  listMembers(communityId: string, roles: CommunityRole[], bearer?: string): Promise<MemberRecord[]>;
  /**
   * The profiles of those of `accountIds` who are members of the community (others are left out): names, and
   * verified emails for a caller who may read members' emails (in one process, and for background work, always).
   */
  profilesOf(communityId: string, accountIds: string[], bearer?: string): Promise<MemberProfile[]>;
  /** Whether the account holds any role in the community. */
  isMember(communityId: string, accountId: string, bearer?: string): Promise<boolean>;
  /** Membership events after `afterSequence`, in order, at most `limit`. */
  membershipEvents(communityId: string, afterSequence: number, limit: number, bearer?: string): Promise<MembershipEventRecord[]>;
}
