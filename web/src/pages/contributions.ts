// A community's contribution programme (#/communities/<id>/contributions): the leaderboard, filtered by period,
// points range and order, with each contributor's badges by name and a link to their page; admins also get the
// programme's settings and the tickets whose issue forms have problems.
import { api } from "../api.js";
import { h, table } from "../dom.js";
import { Code, ConnectError } from "@connectrpc/connect";
import { attempt, errorBox } from "../errors.js";
import { signInLink } from "../layout.js";
import { session } from "../session.js";
import { link } from "../router.js";
import { LeaderboardOrder, type LeaderboardEntry, type Programme } from "../../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import { allowedOn, communityNav, crumbs } from "./voting-shared.js";
import { badgeList, COMPLEXITY_WORD, contributions, ROLE_WORD } from "./contributions-client.js";
import { programmeSection, problemTicketsSection } from "./contributions-programme.js";

const MANAGE = "contributions.programme.manage";
const PAGE_SIZE = 50;

export async function contributionsPage(communityId: string): Promise<Node> {
  const [{ community }, may, programme] = await Promise.all([
    api.communities.getCommunity({ communityId }), allowedOn(communityId, [MANAGE]),
    contributions().getProgramme({ communityId }).then((r) => r.programme, () => undefined),
  ]);
  const head = h("section", { class: "card wide" }, crumbs(community, communityId, "contributions"), h("h1", {}, "Contributions"),
    h("p", { class: "muted" }, "Points earned by closing the programme's labelled GitHub issues, the badges they add up to, and who leads."),
    communityNav(communityId, "/contributions"));
  const board = leaderboardSection(communityId, programme);
  await board.load();
  // Admins see the settings themselves; everyone else, how points are earned.
  const side = !programme ? null : may.has(MANAGE)
    ? h("div", { class: "stack" }, programmeSection(communityId, programme), await problemTicketsSection(communityId))
    : h("div", { class: "stack" }, aboutSection(programme));
  return h("div", { class: "grid" }, head, h("div", { class: "stack", style: side ? null : "grid-column:1/-1" }, board.element), side);
}

function aboutSection(p: Programme): HTMLElement {
  const earned = p.points.filter((r) => r.points > 0).sort((a, b) => a.role - b.role || b.complexity - a.complexity);
  return h("section", { class: "card", "data-testid": "programme-about" }, h("h2", {}, "How points are earned"),
    h("p", {}, "Close an issue labelled ", p.labels.flatMap((l, i) => [i ? ", " : "", h("code", {}, l)]), " that is assigned to you, with your GitHub account linked to your Polity account."),
    h("ul", { class: "perms" }, earned.map((r) => h("li", {}, `${COMPLEXITY_WORD[r.complexity]} complexity, as ${ROLE_WORD[r.role]}: ${r.points} points`))),
    p.badges.length ? h("p", {}, "Badges: ", p.badges.map((b) => `${b.name} at ${b.points}`).join(", "),
      p.pullRequestBadge ? `; ${p.pullRequestBadge} for a merged pull request.` : ".") : null);
}

function leaderboardSection(communityId: string, programme: Programme | undefined): { element: HTMLElement; load: () => Promise<unknown> } {
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const list = h("div", { "data-testid": "leaderboard" });
  const more = h("button", { type: "button", class: "secondary small", hidden: true, "data-testid": "leaderboard-more" }, "Show more");
  const period = h("select", { id: "board-period", name: "period", "data-testid": "board-period" },
    h("option", { value: "" }, "All time"), (programme?.periods ?? []).map((p) => h("option", { value: p.name }, p.name)));
  const min = h("input", { id: "board-min", name: "min", type: "number", min: 0, step: 1, inputmode: "numeric", "data-testid": "board-min" });
  const max = h("input", { id: "board-max", name: "max", type: "number", min: 0, step: 1, inputmode: "numeric", "data-testid": "board-max" });
  const order = h("select", { id: "board-order", name: "order", "data-testid": "board-order" },
    h("option", { value: "desc" }, "Most points first"), h("option", { value: "asc" }, "Fewest points first"));
  const labelled = (label: string, id: string, control: HTMLElement) => h("div", { class: "field" }, h("label", { for: id }, label), control);
  const form = h("form", { class: "inline", "data-testid": "leaderboard-filters" },
    labelled("Period", "board-period", period), labelled("Points from", "board-min", min), labelled("Points up to", "board-max", max),
    labelled("Order", "board-order", order), h("button", { type: "submit", class: "secondary" }, "Show"));

  let entries: LeaderboardEntry[] = [];
  let next = "";
  const render = () => {
    list.replaceChildren(entries.length === 0
      ? h("p", { class: "empty", "data-testid": "leaderboard-empty" }, "Nobody has points here yet.")
      : table(["#", "Contributor", "Points", "Tickets", "Pull requests", "Badges"], entries.map((e) => [
        String(e.rank),
        h("a", { href: link(`/communities/${communityId}/contributions/${e.accountId}`), "data-testid": "contributor-link", title: e.accountId }, e.githubLogin || e.accountId.slice(0, 8)),
        h("strong", { "data-testid": "entry-points" }, String(e.points)), String(e.ticketsClosed), String(e.pullRequestsMerged), badgeList(e.badges),
      ]), "leaderboard-table"));
    more.hidden = !next;
  };
  const fetchPage = async (pageToken: string) => {
    const number = (input: HTMLInputElement) => (input.value.trim() === "" ? undefined : Number(input.value));
    const res = await contributions().getLeaderboard({
      communityId, period: period.value, minPoints: number(min), maxPoints: number(max), pageSize: PAGE_SIZE, pageToken,
      order: order.value === "asc" ? LeaderboardOrder.POINTS_ASC : LeaderboardOrder.POINTS_DESC,
    });
    next = res.nextPageToken;
    return res.entries;
  };
  const load = async () => {
    slot.replaceChildren();
    try {
      entries = await fetchPage("");
      render();
    } catch (err) {
      // Where the server does not open the board to visitors, signing in is the way, not an error.
      const visitor = !session.signedIn() && ConnectError.from(err).code === Code.Unauthenticated;
      slot.replaceChildren(visitor
        ? h("div", { "data-testid": "contributions-sign-in" }, h("p", {}, "Sign in to see this community's leaderboard."), signInLink("Sign in"))
        : errorBox(err));
    }
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void load();
  });
  more.addEventListener("click", () => void attempt(slot, async () => {
    entries = [...entries, ...(await fetchPage(next))];
    render();
  }));
  return { element: h("section", { class: "card" }, h("h2", {}, "Leaderboard"), form, slot, list, more), load };
}
