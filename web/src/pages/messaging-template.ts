// One template (#/orgs/<id>/messaging/templates/<template>): its variants per language, each editable, a new
// language added, the default chosen; and a preview that renders a language with sample variables on the server.
import { create } from "@bufbuild/protobuf";
import { h } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { go } from "../router.js";
import { TemplateVariantSchema, type Template, type TemplateVariant } from "../../../clients/src/gen/polity/mod/messaging/v1/templates_pb.js";
import { messagingHead, messagingPath, templates } from "./messaging-client.js";

/** A variant's inputs: language, subject, text, and HTML or Markdown for email. */
export function variantFields(key: string, initial?: TemplateVariant): { element: HTMLElement; read(): TemplateVariant } {
  const id = (what: string) => `variant-${key}-${what}`;
  const language = h("input", { id: id("language"), required: true, minlength: 2, maxlength: 35, value: initial?.language ?? "en", "data-testid": "variant-language", readonly: initial ? true : null });
  const subject = h("input", { id: id("subject"), maxlength: 998, value: initial?.subject ?? "", "data-testid": "variant-subject" });
  const text = h("textarea", { id: id("text"), required: true, rows: 5, maxlength: 100000, "data-testid": "variant-text", placeholder: "Hello {{name}}, …" }, initial?.text ?? "");
  const markdown = h("textarea", { id: id("markdown"), rows: 4, maxlength: 100000, "data-testid": "variant-markdown" }, initial?.markdown ?? "");
  const html = h("textarea", { id: id("html"), rows: 4, maxlength: 500000, "data-testid": "variant-html" }, initial?.html ?? "");
  const row = (label: string, control: HTMLElement) => h("div", { class: "field" }, h("label", { for: control.id }, label), control);
  return {
    element: h("fieldset", { "data-variant": initial?.language ?? "new", style: "border:1px solid var(--line);border-radius:6px;padding:0.75rem;display:grid;gap:0.5rem" },
      h("legend", {}, initial ? `Language ${initial.language}` : "Variant"),
      row("Language (BCP 47)", language), row("Subject (email)", subject), row("Text", text),
      row("Markdown for email (optional)", markdown), row("HTML for email (optional, instead of Markdown)", html)),
    read: () => create(TemplateVariantSchema, { language: language.value.trim(), subject: subject.value, text: text.value, markdown: markdown.value, html: html.value }),
  };
}

export async function templatePage(orgId: string, orgName: string, templateId: string): Promise<Node> {
  const { template } = await templates().getTemplate({ orgId, templateId });
  if (!template) throw new Error("No such template.");
  return h("div", { class: "grid" },
    messagingHead(orgId, orgName, "templates", template.name, h("p", { class: "muted" }, template.category ? `Category ${template.category}. ` : "", `Default language ${template.defaultLanguage}.`)),
    editor(orgId, template), previewSection(orgId, template));
}

function editor(orgId: string, template: Template): HTMLElement {
  const variants = template.variants.map((v) => variantFields(v.language, v));
  const added: Array<ReturnType<typeof variantFields>> = [];
  const holder = h("div", { class: "stack" }, variants.map((v) => v.element));
  const languages = () => [...variants, ...added].map((v) => v.read().language);
  const defaultLanguage = h("select", { id: "template-default-language", "data-testid": "template-default-language" },
    template.variants.map((v) => h("option", { value: v.language, selected: v.language === template.defaultLanguage }, v.language)));
  const name = h("input", { id: "template-edit-name", required: true, maxlength: 200, value: template.name });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const addButton = h("button", { type: "button", class: "secondary", "data-testid": "variant-add", onclick: () => {
    const v = variantFields(`added-${added.length}`);
    added.push(v);
    holder.append(v.element);
  } }, "Add a language");
  const form = h("form", { class: "compact", "data-testid": "template-edit-form" },
    h("div", { class: "field" }, h("label", { for: "template-edit-name" }, "Name"), name),
    h("div", { class: "field" }, h("label", { for: "template-default-language" }, "Default language"), defaultLanguage),
    holder, addButton, slot,
    h("div", { class: "inline" }, h("button", { type: "submit", "data-testid": "template-save" }, "Save template"),
      h("button", { type: "button", class: "danger", "data-testid": "template-delete", onclick: async () => {
        if (!confirm(`Delete the template ${template.name}?`)) return;
        if (await attempt(slot, () => templates().deleteTemplate({ orgId, templateId: template.id }))) go(messagingPath(orgId, "/templates"));
      } }, "Delete")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const all = [...variants, ...added].map((v) => v.read());
    const ok = await attempt(slot, () => templates().updateTemplate({ orgId, templateId: template.id, name: name.value.trim(), defaultLanguage: defaultLanguage.value, variants: all }));
    if (!ok) return;
    // New languages become choices for the default.
    for (const lang of languages()) if (![...defaultLanguage.options].some((o) => o.value === lang)) defaultLanguage.append(h("option", { value: lang }, lang));
    slot.replaceChildren(okBox("Saved."));
  });
  return h("section", { class: "card" }, h("h2", {}, "Variants"), form);
}

function previewSection(orgId: string, template: Template): HTMLElement {
  const language = h("select", { id: "preview-language", "data-testid": "preview-language" }, template.variants.map((v) => h("option", { value: v.language }, v.language)));
  const variables = h("textarea", { id: "preview-variables", rows: 4, "data-testid": "preview-variables", placeholder: "name = Ada" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const out = h("div", { "data-testid": "preview" });
  const form = h("form", { class: "compact" },
    h("div", { class: "field" }, h("label", { for: "preview-language" }, "Language"), language),
    h("div", { class: "field" }, h("label", { for: "preview-variables" }, "Variables, one a line: name = value"), variables),
    slot, h("button", { type: "submit", class: "secondary", "data-testid": "preview-render" }, "Preview"), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    await attempt(slot, async () => {
      const res = await templates().renderTemplate({ orgId, templateId: template.id, language: language.value, variables: parseVariables(variables.value) });
      out.replaceChildren(
        h("p", { class: "muted" }, `Rendered in ${res.language}`),
        res.subject ? h("p", {}, h("strong", {}, "Subject: "), res.subject) : "",
        h("pre", { style: "white-space:pre-wrap", "data-testid": "preview-text" }, res.text),
        // The HTML is shown as a sandboxed document: no scripts, no access to this page.
        res.html ? h("iframe", { sandbox: "", srcdoc: res.html, title: "HTML preview", style: "width:100%;min-height:12rem;border:1px solid var(--line)" }) : "");
    });
  });
  return h("section", { class: "card" }, h("h2", {}, "Preview"), form);
}

export function parseVariables(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at <= 0) continue;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}
