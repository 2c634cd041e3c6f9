// Helpers the community pages share: names for enums and accounts, breadcrumbs, and a signal that ends a
// page's streams (WatchPoll, WatchActivity) when the visitor navigates away.
import { api } from "../api.js";
import { h } from "../dom.js";
import { link } from "../router.js";
import { session } from "../session.js";
import { PollState, VotingMethod } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { JoinPolicy, MemberRole, Visibility, type Community } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";

export const METHOD_LABEL: Record<number, string> = {
  [VotingMethod.PROPOSAL]: "Proposal", [VotingMethod.SINGLE_CHOICE]: "Single choice", [VotingMethod.APPROVAL]: "Approval",
  [VotingMethod.SCORE]: "Score", [VotingMethod.STAR]: "STAR", [VotingMethod.RANKED_IRV]: "Ranked choice (instant runoff)",
  [VotingMethod.SCHULZE]: "Schulze", [VotingMethod.STV]: "Single transferable vote",
};
export const STATE_LABEL: Record<number, string> = { [PollState.DRAFT]: "draft", [PollState.SCHEDULED]: "scheduled", [PollState.OPEN]: "open", [PollState.CLOSED]: "closed" };
export const ROLE_LABEL: Record<number, string> = { [MemberRole.ADMIN]: "admin", [MemberRole.MODERATOR]: "moderator", [MemberRole.MEMBER]: "member", [MemberRole.OBSERVER]: "observer" };
export const VISIBILITY_LABEL: Record<number, string> = { [Visibility.PUBLIC]: "public", [Visibility.MEMBERS_ONLY]: "members only" };
export const JOIN_LABEL: Record<number, string> = { [JoinPolicy.OPEN]: "open", [JoinPolicy.APPROVAL]: "approval", [JoinPolicy.INVITE]: "invite only" };

export function stateBadge(state: PollState): HTMLElement {
  // Closed is an ending, not an error: neutral, never the error colour.
  const tone = state === PollState.OPEN ? "ok" : state === PollState.CLOSED ? "neutral" : "warn";
  return h("span", { class: `badge ${tone}`, "data-testid": "poll-state" }, STATE_LABEL[state] ?? "unknown");
}

/** Aborts when the route changes, so a page's server streams end with the page. */
export function pageSignal(): AbortSignal {
  const ac = new AbortController();
  window.addEventListener("hashchange", () => ac.abort(), { once: true });
  return ac.signal;
}

/** Account id → display name for a community's members (ids stay as they are when the list is not readable). */
export async function memberNames(communityId: string): Promise<(id: string) => string> {
  const names = new Map<string, string>();
  try {
    const res = await api.communities.listMembers({ communityId, pageSize: 1000 });
    for (const m of res.members) names.set(m.accountId, m.displayName);
  } catch {
    // Members-only lists fail for outsiders; ids are still meaningful.
  }
  return (id) => names.get(id) || (id ? id.slice(0, 8) : "");
}

/** The way back up: "Communities", then the community itself on the pages inside it (the h1 names the page). */
export function crumbs(community: Community | undefined, communityId: string, inside?: string): HTMLElement {
  return h("nav", { class: "crumbs", "aria-label": "Breadcrumb" },
    h("a", { href: link("/communities") }, "Communities"),
    inside ? [" / ", h("a", { href: link(`/communities/${communityId}`) }, community?.name ?? communityId)] : null);
}

/**
 * Which of `permissions` the visitor holds on a community, so a page shows only the controls they may use. A
 * hint, asked quietly (CheckMyPermissions writes no audit entry); the server still decides on every call, and
 * when the question cannot be asked, all show.
 */
export async function allowedOn(communityId: string, permissions: string[]): Promise<Set<string>> {
  // A visitor who is not signed in may only read.
  if (!session.signedIn()) return new Set();
  try {
    const { decisions } = await api.authz.checkMyPermissions({ resource: `community/${communityId}`, permissions });
    return new Set(permissions.filter((_, i) => decisions[i]?.allowed));
  } catch {
    return new Set(permissions);
  }
}

export function communityNav(communityId: string, active: string): HTMLElement {
  const items: [string, string][] = [["", "Overview"], ["/delegation", "Delegation"], ["/activity", "Activity"], ["/governance", "Governance"], ["/contributions", "Contributions"]];
  return h("nav", { class: "tabs", "aria-label": "Community" }, items.map(([suffix, label]) =>
    h("a", { href: link(`/communities/${communityId}${suffix}`), "aria-current": active === suffix ? "page" : null }, label)));
}
