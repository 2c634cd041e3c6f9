// One community: about, join/leave, its polls (and a new-poll form), members, invites and join requests.
import { api } from "../api.js";
import { field, formatTime, formValues, h, select, table } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { signInLink, whoami } from "../layout.js";
import { session } from "../session.js";
import { link } from "../router.js";
import { renderMarkdown } from "../markdown.js";
import { JoinState, MemberRole } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { pollForm } from "./poll-form.js";
import { allowedOn, communityNav, crumbs, JOIN_LABEL, METHOD_LABEL, ROLE_LABEL, stateBadge, VISIBILITY_LABEL } from "./voting-shared.js";

export async function communityPage(communityId: string): Promise<Node> {
  const { community } = await api.communities.getCommunity({ communityId });
  const me = await whoami().catch(() => undefined);
  const membersSlot = h("div", { "data-testid": "community-members" });
  const status = h("div", { class: "slot", "aria-live": "polite" });
  const actions = h("div", { class: "inline" });
  let myRole: MemberRole | undefined;

  async function loadMembers(): Promise<void> {
    await attempt(membersSlot, async () => {
      const res = await api.communities.listMembers({ communityId, pageSize: 200 });
      myRole = res.members.find((m) => m.accountId === me?.accountId)?.role;
      membersSlot.replaceChildren(table(["Member", "Role", "Joined"], res.members.map((m) => [
        h("span", { title: m.accountId }, m.displayName || m.accountId), ROLE_LABEL[m.role] ?? "", formatTime(m.joinedAt),
      ]), "members-table"));
    });
    renderActions();
  }

  function renderActions(): void {
    if (!session.signedIn()) return actions.replaceChildren(signInLink("Sign in to join or vote"));
    const join = h("button", { type: "button", "data-testid": "join-community", onclick: async () => {
      await attempt(status, async () => {
        const res = await api.communities.joinCommunity({ communityId });
        status.replaceChildren(okBox(res.state === JoinState.PENDING ? "Request sent: a moderator will review it." : "You joined."));
        await loadMembers();
      });
    } }, "Join");
    const leave = h("button", { type: "button", class: "danger", "data-testid": "leave-community", onclick: async () => {
      if (!confirm(`Leave ${community?.name}?`)) return;
      if (await attempt(status, () => api.communities.leaveCommunity({ communityId }))) await loadMembers();
    } }, "Leave");
    actions.replaceChildren(myRole
      ? h("span", { class: "badge ok", "data-testid": "my-role" }, `you are ${ROLE_LABEL[myRole]}`)
      : h("span", { class: "muted" }, "You are not a member."), myRole ? leave : join);
  }

  const [may] = await Promise.all([allowedOn(communityId, ["voting.poll.create", "community.member.invite"]), loadMembers()]);
  return h("div", { class: "grid" },
    h("section", { class: "card wide" },
      crumbs(community, communityId),
      h("h1", { "data-testid": "community-title" }, community?.name ?? communityId,
        community?.archived ? h("span", { class: "badge warn" }, "archived") : null),
      h("p", { class: "muted" }, h("code", {}, community?.slug ?? ""), " · ", VISIBILITY_LABEL[community?.visibility ?? 0] ?? "",
        " · joining: ", JOIN_LABEL[community?.joinPolicy ?? 0] ?? ""),
      community?.description ? h("div", { class: "about", "data-testid": "community-about" }, renderMarkdown(community.description)) : null,
      actions, status, communityNav(communityId, "")),
    await pollsSection(communityId, may.has("voting.poll.create")),
    h("div", { class: "stack" },
      h("section", { class: "card" }, h("h2", {}, "Members"), membersSlot),
      await requestsSection(communityId, loadMembers),
      may.has("community.member.invite") ? inviteSection(communityId) : null));
}

async function pollsSection(communityId: string, mayCreate: boolean): Promise<HTMLElement> {
  const list = h("div", { "data-testid": "polls-list" });
  const slot = h("div", { class: "slot" });
  const load = () => attempt(slot, async () => {
    const res = await api.voting.listPolls({ communityId, pageSize: 200 });
    list.replaceChildren(table(["Poll", "Method", "State", "Topics"], res.polls.map((p) => [
      h("a", { href: link(`/communities/${communityId}/polls/${p.id}`), "data-testid": "poll-link" }, p.title),
      METHOD_LABEL[p.method] ?? "", stateBadge(p.state), p.topics.join(", "),
    ]), "polls-table"));
  });
  await load();
  return h("section", { class: "card" }, h("h2", {}, "Polls"), slot, list,
    mayCreate ? h("details", { class: "new-poll" }, h("summary", {}, "New poll"), pollForm(communityId, load)) : null);
}

async function requestsSection(communityId: string, reload: () => Promise<void>): Promise<HTMLElement | null> {
  const list = h("div", { "data-testid": "join-requests" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const load = async (): Promise<boolean> => {
    try {
      const res = await api.communities.listJoinRequests({ communityId, pageSize: 200 });
      list.replaceChildren(table(["Who", "Message", "Asked", ""], res.requests.map((r) => [
        r.accountDisplayName || r.accountId, r.message, formatTime(r.createdAt),
        h("span", { class: "inline" }, [true, false].map((approve) => h("button", { type: "button", class: approve ? "small" : "danger small",
          onclick: async () => {
            if (await attempt(slot, () => api.communities.decideJoinRequest({ communityId, requestId: r.id, approve }))) await Promise.all([load(), reload()]);
          } }, approve ? "Approve" : "Deny"))),
      ]), "requests-table"));
      return true;
    } catch {
      return false; // Only moderators may see requests; others simply do not get the section.
    }
  };
  if (!(await load())) return null;
  return h("section", { class: "card" }, h("h2", {}, "Join requests"), slot, list);
}

function inviteSection(communityId: string): HTMLElement {
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const form = h("form", { id: "invite-form", class: "compact" },
    field("Email (optional)", "invite-email", { name: "email", type: "email" }),
    select("Role", "invite-role", ["member", "observer", "moderator", "admin"], { name: "role" }, "member"),
    slot, h("button", { type: "submit", class: "secondary" }, "Create invite"));
  const roles: Record<string, MemberRole> = { member: MemberRole.MEMBER, observer: MemberRole.OBSERVER, moderator: MemberRole.MODERATOR, admin: MemberRole.ADMIN };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    await attempt(slot, async () => {
      const res = await api.communities.createInvite({ communityId, email: v.email, role: roles[v.role] });
      slot.replaceChildren(okBox(`Invite token (shown once): ${res.token}`));
    });
  });
  return h("section", { class: "card" }, h("h2", {}, "Invite"), form);
}
