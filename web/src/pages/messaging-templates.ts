// An org's templates (#/orgs/<id>/messaging/templates): the list, and a form for a new one with its first
// language variant; the others are added on the template's own page.
import { formatTime, h, table } from "../dom.js";
import { attempt } from "../errors.js";
import { go, link } from "../router.js";
import { messagingHead, messagingPath, templates } from "./messaging-client.js";
import { variantFields } from "./messaging-template.js";

export async function templatesPage(orgId: string, orgName: string): Promise<Node> {
  const list = h("div", { "data-testid": "templates-list" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  await attempt(slot, async () => {
    const res = await templates().listTemplates({ orgId, pageSize: 200 });
    list.replaceChildren(table(["Name", "Category", "Languages", "Updated"], res.templates.map((t) => [
      h("a", { href: link(messagingPath(orgId, `/templates/${t.id}`)), "data-testid": "template-link" }, t.name),
      t.category, t.variants.map((v) => v.language + (v.language === t.defaultLanguage ? " (default)" : "")).join(", "), formatTime(t.updateTime),
    ]), "templates-table"));
  });
  return h("div", { class: "grid" },
    messagingHead(orgId, orgName, "templates", "Templates", h("p", { class: "muted" }, "Messages written once, in one or more languages, with {{variables}} filled in for each recipient. HTML variants escape what they insert.")),
    h("section", { class: "card" }, h("h2", {}, "Templates"), slot, list),
    createForm(orgId));
}

function createForm(orgId: string): HTMLElement {
  const name = h("input", { id: "template-name", required: true, maxlength: 200, "data-testid": "template-name" });
  const category = h("input", { id: "template-category", maxlength: 64, pattern: "[a-z0-9][a-z0-9._\\-]*", placeholder: "e.g. newsletter", "data-testid": "template-category" });
  const variant = variantFields("new");
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const form = h("form", { class: "compact", "data-testid": "template-form" },
    h("div", { class: "field" }, h("label", { for: "template-name" }, "Name"), name),
    h("div", { class: "field" }, h("label", { for: "template-category" }, "Category (optional)"), category),
    variant.element, slot, h("button", { type: "submit", "data-testid": "template-create" }, "Create template"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = variant.read();
    let id = "";
    const ok = await attempt(slot, async () => {
      const res = await templates().createTemplate({ orgId, name: name.value.trim(), category: category.value.trim(), defaultLanguage: v.language, variants: [v] });
      id = res.template?.id ?? "";
    });
    if (ok && id) go(messagingPath(orgId, `/templates/${id}`));
  });
  return h("section", { class: "card" }, h("h2", {}, "New template"), form);
}
