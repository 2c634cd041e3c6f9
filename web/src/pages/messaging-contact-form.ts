// Adding or editing a contact: name, one address per channel with its consent, categories, language, time zone
// and the region that reads a national phone number. Consent is recorded with the source "web" by whoever saves.
import { create } from "@bufbuild/protobuf";
import { h } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { ContactSchema, type Contact } from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import type { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { CHANNELS, channelLabel, contacts, listOf } from "./messaging-client.js";

const CONSENT_SOURCE = "web";

export function contactForm(orgId: string, onSaved: (contact: Contact) => Promise<unknown>): { element: HTMLElement; edit(contact?: Contact): void } {
  let editing: Contact | undefined;
  const input = (id: string, attrs: Record<string, string | number | boolean> = {}) => h("input", { id, name: id, "data-testid": id, ...attrs });
  const name = input("contact-name", { required: true, maxlength: 200 });
  const categories = input("contact-categories", { placeholder: "members; newsletter" });
  const language = input("contact-language", { maxlength: 35, placeholder: "en" });
  const timeZone = input("contact-time-zone", { maxlength: 64, placeholder: "Europe/Berlin" });
  const region = input("contact-region", { maxlength: 2, placeholder: "DE" });
  const addresses = new Map<Channel, { address: HTMLInputElement; consent: HTMLInputElement; note: HTMLElement }>();
  const addressRows = CHANNELS.map((channel) => {
    const label = channelLabel(channel);
    const address = input(`contact-address-${label.toLowerCase()}`, { maxlength: 2000, "aria-label": `${label} address`, style: "width:100%;box-sizing:border-box;min-width:10rem" });
    const consent = h("input", { type: "checkbox", style: "width:auto", "data-testid": `contact-consent-${label.toLowerCase()}`, "aria-label": `${label} consent` });
    const note = h("small", { class: "muted" });
    addresses.set(channel, { address, consent, note });
    return h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, address), h("td", {}, h("label", { class: "check" }, consent, " consented"), " ", note));
  });
  const row = (label: string, control: HTMLElement, help?: string) =>
    h("div", { class: "field" }, h("label", { for: control.id }, label), control, help ? h("small", { class: "help muted" }, help) : null);
  const title = h("h2", {}, "New contact");
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const submit = h("button", { type: "submit", "data-testid": "contact-save" }, "Add contact");
  const cancel = h("button", { type: "button", class: "secondary", hidden: true, onclick: () => edit(undefined) }, "Cancel editing");
  const form = h("form", { class: "compact", "data-testid": "contact-form" },
    row("Name", name),
    h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Channel"), h("th", {}, "Address"), h("th", {}, "Consent"))), h("tbody", {}, addressRows))),
    row("Categories", categories, "Separated by ; or ,"), row("Language", language, "BCP 47, empty for the org's default"),
    row("Time zone", timeZone, "IANA name, empty for UTC"), row("Phone region", region, "Two letters, for numbers written without +"),
    slot, h("div", { class: "inline" }, submit, cancel));

  function edit(contact: Contact | undefined): void {
    editing = contact;
    form.reset();
    slot.replaceChildren();
    title.textContent = contact ? `Edit ${contact.name || "contact"}` : "New contact";
    submit.textContent = contact ? "Save contact" : "Add contact";
    cancel.hidden = !contact;
    name.value = contact?.name ?? "";
    categories.value = contact?.categories.join("; ") ?? "";
    language.value = contact?.language ?? "";
    timeZone.value = contact?.timeZone ?? "";
    region.value = contact?.defaultRegion ?? "";
    for (const [channel, controls] of addresses) {
      const a = contact?.addresses.find((x) => x.channel === channel);
      controls.address.value = a?.address ?? "";
      controls.consent.checked = a?.consent?.granted ?? false;
      controls.note.textContent = a?.optedOutAt ? "opted out" : a?.consent?.source ? `(${a.consent.source})` : "";
    }
    if (contact) form.scrollIntoView({ block: "nearest" });
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const contact = create(ContactSchema, {
      id: editing?.id ?? "", orgId, name: name.value.trim(), categories: listOf(categories.value), language: language.value.trim(),
      timeZone: timeZone.value.trim(), defaultRegion: region.value.trim().toUpperCase(), communityId: editing?.communityId ?? "",
      addresses: [...addresses].filter(([, c]) => c.address.value.trim()).map(([channel, c]) => {
        const before = editing?.addresses.find((x) => x.channel === channel);
        // Consent is sent only when it changed, so saving a contact keeps its recorded source and time.
        const changed = (before?.consent?.granted ?? false) !== c.consent.checked || !before;
        return { channel, address: c.address.value.trim(), consent: changed ? { granted: c.consent.checked, source: CONSENT_SOURCE } : undefined };
      }),
    });
    let saved: Contact | undefined;
    submit.disabled = true;
    const ok = await attempt(slot, async () => {
      const res = editing ? await contacts().updateContact({ orgId, contact }) : await contacts().createContact({ orgId, contact });
      saved = res.contact;
    });
    submit.disabled = false;
    if (!ok || !saved) return;
    const verb = editing ? "Saved" : "Added";
    edit(undefined);
    slot.replaceChildren(okBox(`${verb} ${saved.name || "the contact"}.`));
    await onSaved(saved);
  });
  return { element: h("section", { class: "card" }, title, form), edit };
}
