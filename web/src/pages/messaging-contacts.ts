// An org's contacts (#/orgs/<id>/messaging/contacts): a filterable list (search, category, channel), each with
// its addresses and consent, a link to the conversation, edit and erase; the add/edit form; CSV import and export.
import { h, select } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { go, link } from "../router.js";
import type { Contact, ContactAddress } from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { CHANNELS, channelLabel, contacts, messagingHead, messagingPath } from "./messaging-client.js";
import { contactForm } from "./messaging-contact-form.js";
import { importSection } from "./messaging-import.js";

const PAGE = 50;

export async function contactsPage(orgId: string, orgName: string, query: URLSearchParams): Promise<Node> {
  const list = h("div", { "data-testid": "contacts-list" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const more = h("div");
  const form = contactForm(orgId, () => load());

  const search = h("input", { id: "contact-search", name: "q", type: "search", maxlength: 200, placeholder: "Name or address", value: query.get("q") ?? "", "data-testid": "contact-search" });
  const category = h("input", { id: "contact-filter-category", name: "category", maxlength: 63, value: query.get("category") ?? "", "data-testid": "contact-filter-category" });
  const channels = ["any", ...CHANNELS.map(channelLabel)];
  const channelPick = select("Has channel", "contact-filter-channel", channels, { name: "channel", "data-testid": "contact-filter-channel" }, query.get("channel") ?? "any");
  const filter = h("form", { class: "inline", role: "search", "data-testid": "contact-filter" },
    h("div", { class: "field" }, h("label", { for: "contact-search" }, "Search"), search),
    h("div", { class: "field" }, h("label", { for: "contact-filter-category" }, "Category"), category),
    channelPick, h("button", { type: "submit" }, "Filter"));
  filter.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    if (search.value.trim()) q.set("q", search.value.trim());
    if (category.value.trim()) q.set("category", category.value.trim());
    const ch = (channelPick.querySelector("select") as HTMLSelectElement).value;
    if (ch !== "any") q.set("channel", ch);
    go(messagingPath(orgId, `/contacts${q.size ? `?${q}` : ""}`));
  });

  const channelOf = (label: string | null) => CHANNELS.find((c) => channelLabel(c) === label) ?? 0;
  async function load(pageToken = "", append = false): Promise<unknown> {
    return attempt(slot, async () => {
      const res = await contacts().listContacts({ orgId, query: query.get("q") ?? "", category: query.get("category") ?? "", channel: channelOf(query.get("channel")), pageSize: PAGE, pageToken });
      const rows = res.contacts.map((c) => contactRow(orgId, c, form.edit, slot, () => load()));
      const body = list.querySelector("tbody");
      if (append && body) body.append(...rows);
      else list.replaceChildren(rows.length === 0 ? h("p", { class: "empty", "data-testid": "contacts-empty" }, "No contact matches.")
        : h("div", { class: "table-wrap" }, h("table", { "data-testid": "contacts-table" },
          h("thead", {}, h("tr", {}, ["Name", "Addresses", "Categories", "Language", ""].map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, rows))));
      more.replaceChildren(res.nextPageToken ? h("button", { type: "button", class: "secondary", onclick: () => void load(res.nextPageToken, true) }, "More") : "");
    });
  }
  await load();
  return h("div", { class: "grid" },
    messagingHead(orgId, orgName, "contacts", "Contacts", h("p", { class: "muted" }, "The people this organisation messages, with each channel's address and consent. Open one to see the conversation.")),
    h("section", { class: "card" }, h("h2", {}, "Contacts"), filter, slot, list, more),
    h("div", { class: "stack" }, form.element, importSection(orgId, () => load())));
}

function contactRow(orgId: string, c: Contact, edit: (c: Contact) => void, slot: HTMLElement, reload: () => Promise<unknown>): HTMLElement {
  return h("tr", { "data-contact": c.id },
    h("td", {}, h("a", { href: link(messagingPath(orgId, `/contacts/${c.id}`)), "data-testid": "contact-link" }, c.name || "(no name)")),
    h("td", {}, c.addresses.map(addressLine)),
    h("td", {}, c.categories.join(", ")),
    h("td", {}, [c.language, c.timeZone].filter(Boolean).join(" · ")),
    h("td", { style: "white-space:nowrap" },
      h("button", { type: "button", class: "secondary small", "data-testid": "contact-edit", onclick: () => edit(c) }, "Edit"), " ",
      h("button", { type: "button", class: "danger small", "data-testid": "contact-delete", onclick: async () => {
        if (!confirm(`Erase ${c.name || "this contact"}? Their addresses and consent history are removed; past messages keep an anonymous recipient.`)) return;
        if (await attempt(slot, () => contacts().deleteContact({ orgId, contactId: c.id }))) {
          await reload();
          slot.replaceChildren(okBox(`Erased ${c.name || "the contact"}.`));
        }
      } }, "Erase")));
}

function addressLine(a: ContactAddress): HTMLElement {
  const state = a.optedOutAt ? ["opted out", "danger"] : a.consent?.granted ? ["consented", "ok"] : ["no consent", "warn"];
  return h("div", { "data-channel": channelLabel(a.channel) },
    h("small", { class: "muted" }, `${channelLabel(a.channel)} `), h("span", { style: "word-break:break-all" }, a.address),
    h("span", { class: `badge ${state[1]}`, "data-testid": "consent-badge" }, state[0]));
}
