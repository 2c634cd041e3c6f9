// How the mod tier learns which Polity account a platform user is (a GitHub login, a Discord user id), from the
// identities people link in sys. One process: direct reads through sys's identity module. Two binaries: Connect
// calls to sys's IdentityService with the caller's bearer, or — for background work that has no caller (a
// webhook being processed) — the mod tier's own service credential when the operator configured one.

/** How sure Polity is that the platform account is the person's: only ever upgraded, never lowered. */
export type LinkQuality = "confirmed_strong" | "confirmed_weak" | "unconfirmed";

/** How the link was made: the person proved it (OAuth), an admin set it, or the emails matched. */
export type LinkType = "oauth" | "admin" | "email";

export interface LinkedIdentity {
  accountId: string;
  /** "github", "discord", "slack", "discourse", "loomio"… */
  platform: string;
  /** The platform's stable id for the user (GitHub's numeric user id as a string). */
  platformUserId: string;
  /** The platform's display handle (GitHub login), which may change. */
  platformUsername: string;
  linkType: LinkType;
  quality: LinkQuality;
}

export interface IdentityPort {
  /** The account a platform user is linked to, if any. */
  accountFor(platform: string, platformUserId: string, bearer?: string): Promise<LinkedIdentity | undefined>;
  /** The links of these accounts on one platform (profiles, leaderboards). */
  identitiesOf(accountIds: string[], platform: string, bearer?: string): Promise<LinkedIdentity[]>;
}
