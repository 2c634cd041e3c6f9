// An org's blasts (#/orgs/<id>/messaging/blasts): the list with each one's progress, and a form that sends one
// template to a filter of contacts (categories, community, channel), now, at an instant or at a local time in
// each recipient's zone, outside quiet hours.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { formatTime, h, select, table } from "../dom.js";
import { attempt } from "../errors.js";
import { go, link } from "../router.js";
import type { Template } from "../../../clients/src/gen/polity/mod/messaging/v1/templates_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { CreateBlastRequestSchema } from "../../../clients/src/gen/polity/mod/messaging/v1/blasts_pb.js";
import { blasts, blastStateBadge, CHANNELS, channelLabel, listOf, messagingHead, messagingPath, templates } from "./messaging-client.js";
import { parseVariables } from "./messaging-template.js";

export async function blastsPage(orgId: string, orgName: string): Promise<Node> {
  const list = h("div", { "data-testid": "blasts-list" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  await attempt(slot, async () => {
    const res = await blasts().listBlasts({ orgId, pageSize: 100 });
    list.replaceChildren(table(["Name", "State", "Messages", "Sent", "Delivered", "Failed", "Created"], res.blasts.map((b) => [
      h("a", { href: link(messagingPath(orgId, `/blasts/${b.id}`)), "data-testid": "blast-link" }, b.name), blastStateBadge(b.state),
      String(b.progress?.recipientsTotal ?? 0n), String(b.progress?.sent ?? 0n), String(b.progress?.delivered ?? 0n), String(b.progress?.failed ?? 0n),
      formatTime(b.createTime),
    ]), "blasts-table"));
  });
  const all = await templates().listTemplates({ orgId, pageSize: 200 }).then((r) => r.templates, () => [] as Template[]);
  return h("div", { class: "grid" },
    messagingHead(orgId, orgName, "blasts", "Blasts", h("p", { class: "muted" }, "One template sent to many contacts, each in their language and time zone, paced by every service's rate limit.")),
    h("section", { class: "card" }, h("h2", {}, "Blasts"), slot, list),
    createForm(orgId, all));
}

function createForm(orgId: string, all: Template[]): HTMLElement {
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  if (all.length === 0) return h("section", { class: "card" }, h("h2", {}, "New blast"), h("p", { class: "empty" }, "Write a template first, on the Templates tab."));
  const text = (id: string, label: string, attrs: Record<string, string | number | boolean> = {}, help = "") =>
    h("div", { class: "field" }, h("label", { for: id }, label), h("input", { id, name: id, "data-testid": id, ...attrs }), help ? h("small", { class: "help muted" }, help) : null);
  const form = h("form", { class: "compact", "data-testid": "blast-form" },
    text("blast-name", "Name", { required: true, maxlength: 200 }),
    h("div", { class: "field" }, h("label", { for: "blast-template" }, "Template"),
      h("select", { id: "blast-template", name: "blast-template", "data-testid": "blast-template" }, all.map((t) => h("option", { value: t.id }, t.name)))),
    text("blast-language", "Language for contacts without one (optional)", { maxlength: 35 }),
    text("blast-categories", "Contacts in any of the categories (optional)", {}, "Separated by ; or ,; empty for every contact."),
    text("blast-community", "Only this community's contacts and members (community id, optional)", { maxlength: 36 }),
    select("Only with consent on", "blast-channel", ["any channel", ...CHANNELS.map(channelLabel)], { "data-testid": "blast-channel" }),
    h("div", { class: "field" }, h("label", { for: "blast-variables" }, "Variables, one a line: name = value"), h("textarea", { id: "blast-variables", name: "blast-variables", rows: 3 })),
    text("blast-at", "Send at (your time; empty for now)", { type: "datetime-local" }),
    text("blast-local", "Or at this wall time in each recipient's zone", { placeholder: "2026-12-01T09:00", pattern: "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}" }),
    h("div", { class: "inline" }, text("blast-quiet-start", "Quiet hours from", { type: "time" }), text("blast-quiet-end", "to", { type: "time" })),
    slot, h("button", { type: "submit", "data-testid": "blast-create" }, "Start blast"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = (id: string) => (form.querySelector(`#${id}`) as HTMLInputElement).value.trim();
    const channel = CHANNELS.find((c) => channelLabel(c) === v("blast-channel")) ?? 0;
    const req: MessageInitShape<typeof CreateBlastRequestSchema> = {
      orgId, name: v("blast-name"), templateId: v("blast-template"), language: v("blast-language"),
      filter: { categories: listOf(v("blast-categories")), communityId: v("blast-community"), channel },
      variables: parseVariables(v("blast-variables")),
      // A wall time in each recipient's zone wins over an instant; neither is now.
      localTime: v("blast-local"), sendTime: !v("blast-local") && v("blast-at") ? timestampFromDate(new Date(v("blast-at"))) : undefined,
      quietHours: v("blast-quiet-start") && v("blast-quiet-end") ? { start: v("blast-quiet-start"), end: v("blast-quiet-end") } : undefined,
    };
    let id = "";
    if (await attempt(slot, async () => { id = (await blasts().createBlast(req)).blast?.id ?? ""; }) && id) go(messagingPath(orgId, `/blasts/${id}`));
  });
  return h("section", { class: "card" }, h("h2", {}, "New blast"), form);
}
