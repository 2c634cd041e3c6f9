// One contributor of a community's programme (#/communities/<id>/contributions/<account>): points and badges,
// the tickets they were assigned, their pull requests, and every credit and reversal, oldest first.
import { api } from "../api.js";
import { formatTime, h, table } from "../dom.js";
import { errorBox } from "../errors.js";
import { link } from "../router.js";
import type { Contributor } from "../../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import { communityNav, crumbs } from "./voting-shared.js";
import { badgeList, COMPLEXITY_WORD, contributions, issueLink, reasonWords, ROLE_WORD, signed } from "./contributions-client.js";

export async function contributorPage(communityId: string, accountId: string): Promise<Node> {
  const [{ community }, found] = await Promise.all([
    api.communities.getCommunity({ communityId }),
    contributions().getContributor({ communityId, accountId }).then((r) => ({ contributor: r.contributor }), (err: unknown) => ({ err })),
  ]);
  const back = h("a", { href: link(`/communities/${communityId}/contributions`) }, "Back to the leaderboard");
  const contributor = "contributor" in found ? found.contributor : undefined;
  const title = contributor?.githubLogin || accountId.slice(0, 8);
  const head = h("section", { class: "card wide" }, crumbs(community, communityId, "contributions"),
    h("h1", { "data-testid": "contributor-title" }, title), h("p", {}, back), communityNav(communityId, "/contributions"));
  if (!contributor) return h("div", { class: "grid" }, head, h("section", { class: "card wide" }, "err" in found ? errorBox(found.err) : null));
  return h("div", { class: "grid" }, head,
    h("div", { class: "stack" }, ticketsCard(contributor), pullRequestsCard(contributor), historyCard(contributor)),
    h("div", { class: "stack" }, summaryCard(contributor)));
}

function summaryCard(c: Contributor): HTMLElement {
  return h("section", { class: "card", "data-testid": "contributor-summary" }, h("h2", {}, "Points"),
    h("p", {}, h("strong", { style: "font-size:2rem", "data-testid": "contributor-points" }, String(c.points)), " points"),
    c.badges.length ? h("p", {}, badgeList(c.badges)) : h("p", { class: "empty" }, "No badge yet."),
    c.githubLogin ? h("p", { class: "muted" }, "GitHub: ", h("a", { href: `https://github.com/${encodeURIComponent(c.githubLogin)}`, rel: "noopener noreferrer", target: "_blank" }, c.githubLogin)) : null);
}

function ticketsCard(c: Contributor): HTMLElement {
  return h("section", { class: "card" }, h("h2", {}, "Tickets"), table(["Issue", "Title", "State", "Complexity", "Points"], c.tickets.map((t) => [
    issueLink(t), t.title, t.state, COMPLEXITY_WORD[t.complexity] ?? "", String(t.points),
  ]), "contributor-tickets"));
}

function pullRequestsCard(c: Contributor): HTMLElement {
  return h("section", { class: "card" }, h("h2", {}, "Pull requests"), table(["Pull request", "Title", "State", "Linked issues"], c.pullRequests.map((p) => [
    issueLink(p), p.title,
    p.merged ? h("span", { class: "badge ok" }, p.mergedByLogin ? `merged by ${p.mergedByLogin}` : "merged") : p.state,
    p.linkedIssues.map((n) => `#${n}`).join(" "),
  ]), "contributor-pull-requests"));
}

function historyCard(c: Contributor): HTMLElement {
  return h("section", { class: "card" }, h("h2", {}, "Points history"), table(["When", "Issue", "Role", "Reason", "Points"], c.history.map((e) => [
    formatTime(e.occurTime), e.repository ? `${e.repository}#${e.number}` : "", ROLE_WORD[e.role] ?? "",
    [reasonWords(e.reason), e.note ? `: ${e.note}` : ""].join(""),
    h("span", { class: e.points < 0 ? "badge danger" : "badge ok", "data-testid": "history-points" }, signed(e.points)),
  ]), "contributor-history"));
}
