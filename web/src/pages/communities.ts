// The communities list with search, the create-community form, and accepting an invite token.
import { api } from "../api.js";
import { field, formValues, h, select, SLUG_PATTERN, table } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { go, link } from "../router.js";
import { JoinPolicy, Visibility } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { JOIN_LABEL, VISIBILITY_LABEL } from "./voting-shared.js";

export async function communitiesPage(): Promise<Node> {
  const list = h("div", { "data-testid": "communities-list" });
  const listError = h("div", { class: "slot" });

  const load = (query = "") => attempt(listError, async () => {
    const res = await api.communities.listCommunities({ query, pageSize: 200 });
    list.replaceChildren(table(["Name", "Slug", "Visibility", "Joining"], res.communities.map((c) => [
      h("a", { href: link(`/communities/${c.id}`), "data-testid": "community-link" }, c.name),
      h("code", {}, c.slug),
      VISIBILITY_LABEL[c.visibility] ?? "",
      h("span", {}, JOIN_LABEL[c.joinPolicy] ?? "", c.archived ? h("span", { class: "badge warn" }, "archived") : null),
    ]), "communities-table"));
  });

  const search = h("form", { class: "inline", role: "search" },
    field("Search communities", "community-query", { type: "search", placeholder: "slug, name or description" }),
    h("button", { type: "submit", class: "secondary" }, "Search"));
  search.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void load((search.querySelector("#community-query") as HTMLInputElement).value);
  });

  const orgs = await api.orgs.listOrgs({ pageSize: 200 }).then((r) => r.orgs).catch(() => []);
  const createSlot = h("div", { class: "slot", "aria-live": "polite" });
  const form = h("form", { id: "create-community-form", "data-testid": "create-community-form" },
    h("div", { class: "field" }, h("label", { for: "community-org" }, "Organisation"),
      h("select", { id: "community-org", name: "orgId", required: true }, orgs.map((o) => h("option", { value: o.id }, o.displayName)))),
    field("Name", "community-name", { name: "name", required: true, maxlength: 100 }),
    field("Slug", "community-slug", { name: "slug", required: true, pattern: SLUG_PATTERN, minlength: 2, maxlength: 63, placeholder: "garden-club" }),
    h("div", { class: "field" }, h("label", { for: "community-description" }, "Description"),
      h("textarea", { id: "community-description", name: "description", maxlength: 5000, rows: 3 })),
    select("Visibility", "community-visibility", ["public", "members-only"], { name: "visibility" }, "public"),
    select("Joining", "community-join", ["open", "approval", "invite"], { name: "join" }, "open"),
    createSlot,
    h("button", { type: "submit", "data-testid": "create-community-submit" }, "Create community"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    await attempt(createSlot, async () => {
      const res = await api.communities.createCommunity({
        orgId: v.orgId, name: v.name, slug: v.slug, description: v.description,
        visibility: v.visibility === "members-only" ? Visibility.MEMBERS_ONLY : Visibility.PUBLIC,
        joinPolicy: v.join === "approval" ? JoinPolicy.APPROVAL : v.join === "invite" ? JoinPolicy.INVITE : JoinPolicy.OPEN,
      });
      go(`/communities/${res.community!.id}`);
    });
  });

  const inviteSlot = h("div", { class: "slot", "aria-live": "polite" });
  const invite = h("form", { id: "accept-invite-form", class: "compact" },
    field("Invite token", "invite-token", { name: "token", required: true, minlength: 16, autocomplete: "off" }), inviteSlot,
    h("button", { type: "submit", class: "secondary" }, "Accept invite"));
  invite.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    await attempt(inviteSlot, async () => {
      const res = await api.communities.acceptInvite({ token: formValues(invite).token.trim() });
      inviteSlot.replaceChildren(okBox("Invite accepted."));
      go(`/communities/${res.communityId}`);
    });
  });

  await load();
  return h("div", { class: "grid" },
    h("section", { class: "card" }, h("h1", {}, "Communities"), search, listError, list),
    h("div", { class: "stack" },
      h("section", { class: "card" }, h("h2", {}, "New community"), orgs.length ? form : h("p", { class: "muted" }, "Create an organisation first: a community belongs to one.")),
      h("section", { class: "card" }, h("h2", {}, "Have an invite?"), invite)));
}
