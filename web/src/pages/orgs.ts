// The organisations list with search and the create-org form.
import { api } from "../api.js";
import { field, formatTime, formValues, h, SLUG_PATTERN, table } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { link } from "../router.js";

export async function orgsPage(): Promise<Node> {
  const listSlot = h("div", { "data-testid": "orgs-list" });
  const listError = h("div", { class: "slot" });

  async function load(query = ""): Promise<void> {
    await attempt(listError, async () => {
      const res = await api.orgs.listOrgs({ query, pageSize: 200 });
      listSlot.replaceChildren(table(["Name", "Slug", "Created"], res.orgs.map((o) => [
        h("a", { href: link(`/orgs/${o.id}`), "data-testid": "org-link" }, o.displayName),
        h("code", {}, o.slug),
        formatTime(o.createdAt),
      ]), "orgs-table"));
    });
  }

  const search = h("form", { class: "inline", role: "search", id: "org-search" },
    field("Search organisations", "org-query", { type: "search", placeholder: "slug or name" }),
    h("button", { type: "submit", class: "secondary" }, "Search"));
  search.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void load((search.querySelector("#org-query") as HTMLInputElement).value);
  });

  const createSlot = h("div", { class: "slot", "aria-live": "polite" });
  const create = h("form", { id: "create-org-form", "data-testid": "create-org-form" },
    field("Display name", "org-name", { name: "displayName", required: true, maxlength: 100 }),
    field("Slug", "org-slug", { name: "slug", required: true, pattern: SLUG_PATTERN, minlength: 2, maxlength: 63, placeholder: "open-coop" }),
    h("div", { class: "field" }, h("label", { for: "org-description" }, "Description"),
      h("textarea", { id: "org-description", name: "description", maxlength: 2000, rows: 2 })),
    createSlot,
    h("button", { type: "submit", id: "create-org-submit", "data-testid": "create-org-submit" }, "Create organisation"));
  create.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = formValues(create);
    const ok = await attempt(createSlot, async () => {
      const res = await api.orgs.createOrg({ displayName: v.displayName, slug: v.slug, description: v.description });
      create.reset();
      createSlot.replaceChildren(okBox(`Created ${res.org?.displayName ?? v.displayName}.`));
    });
    if (ok) await load();
  });

  await load();
  return h("div", { class: "grid" },
    h("section", { class: "card" }, h("h1", {}, "Organisations"), search, listError, listSlot),
    h("section", { class: "card" }, h("h2", {}, "New organisation"), create));
}
