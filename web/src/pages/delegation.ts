// Delegation in a community: whom I delegate to (with the chain my weight flows through), who delegates to me,
// and a form to delegate globally or for a topic.
import { api } from "../api.js";
import { field, formatTime, formValues, h, table } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { whoami } from "../layout.js";
import { communityNav, crumbs, memberNames } from "./voting-shared.js";

export async function delegationPage(communityId: string): Promise<Node> {
  const [{ community }, names, me] = await Promise.all([
    api.communities.getCommunity({ communityId }), memberNames(communityId), whoami(),
  ]);
  const members = await api.communities.listMembers({ communityId, pageSize: 1000 }).then((r) => r.members).catch(() => []);
  const outgoing = h("div", { "data-testid": "delegations-out" });
  const incoming = h("div", { "data-testid": "delegations-in" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });

  const chain = (ids: string[]) => h("span", { class: "chain" }, [me.displayName || "you", ...ids.map(names)].flatMap((n, i) => i ? [h("span", { class: "arrow", "aria-hidden": "true" }, " → "), h("span", {}, n)] : [h("span", {}, n)]));

  const load = () => attempt(slot, async () => {
    const res = await api.voting.listDelegations({ communityId });
    outgoing.replaceChildren(table(["Scope", "Delegate", "Chain", "Since", ""], res.outgoing.map((d) => [
      d.topic ? h("code", {}, d.topic) : "all polls", names(d.delegateId), chain(d.chain.length ? d.chain : [d.delegateId]), formatTime(d.createdAt),
      h("button", { type: "button", class: "danger small", "data-testid": "revoke-delegation", onclick: async () => {
        if (await attempt(slot, () => api.voting.revokeDelegation({ communityId, topic: d.topic }))) await load();
      } }, "Revoke"),
    ]), "outgoing-table"));
    incoming.replaceChildren(table(["Delegator", "Scope", "Since"], res.incoming.map((d) => [
      names(d.delegatorId), d.topic ? h("code", {}, d.topic) : "all polls", formatTime(d.createdAt),
    ]), "incoming-table"));
  });

  const form = h("form", { id: "delegate-form", class: "compact" },
    h("div", { class: "field" }, h("label", { for: "delegate-to" }, "Delegate to"),
      h("select", { id: "delegate-to", name: "delegate", required: true },
        members.filter((m) => m.accountId !== me.accountId).map((m) => h("option", { value: m.accountId }, m.displayName || m.accountId)))),
    field("Topic (empty for all polls)", "delegate-topic", { name: "topic", pattern: "[a-z0-9][a-z0-9\\-]*", maxlength: 40 }),
    h("button", { type: "submit", "data-testid": "delegate-submit" }, "Delegate"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    if (await attempt(slot, () => api.voting.setDelegation({ communityId, delegateId: v.delegate, topic: v.topic.trim() }))) {
      await load();
      slot.replaceChildren(okBox(`You now delegate to ${names(v.delegate)}${v.topic ? ` for ${v.topic}` : ""}.`));
    }
  });

  await load();
  return h("div", { class: "grid" },
    h("section", { class: "card wide" }, crumbs(community, communityId, "delegation"), h("h1", {}, "Delegation"),
      h("p", { class: "muted" }, "A topic delegation beats a global one; voting yourself always overrides delegation for that poll."),
      communityNav(communityId, "/delegation")),
    h("section", { class: "card" }, h("h2", {}, "Whom I delegate to"), slot, outgoing, h("h2", {}, "Who delegates to me"), incoming),
    h("section", { class: "card" }, h("h2", {}, "Delegate my vote"), form));
}
