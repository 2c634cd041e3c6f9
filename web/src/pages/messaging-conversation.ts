// The conversation with one contact (#/orgs/<id>/messaging/contacts/<contact>): every message both ways, oldest
// first, each outgoing one with its state (history and attempts on expanding), kept live by WatchMessages; and
// a box to send a new message, which appears at once and moves through its states as the workers carry it.
import { Code, ConnectError } from "@connectrpc/connect";
import { formatTime, h, table } from "../dom.js";
import { attempt, errorBox } from "../errors.js";
import { link } from "../router.js";
import type { Provider } from "../../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import { ConsentChange } from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import type { Message } from "../../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { channelLabel, contacts, messages, messagingHead, messagingPath, providers } from "./messaging-client.js";
import { messageItem, type MessageItem } from "./messaging-message-item.js";
import { pageSignal } from "./voting-shared.js";

const HISTORY = 200;

export async function conversationPage(orgId: string, orgName: string, contactId: string): Promise<Node> {
  const { contact } = await contacts().getContact({ orgId, contactId });
  const names = await providers().listProviders({ orgId, pageSize: 200 }).then((r) => r.providers, () => [] as Provider[]);
  const providerName = (id: string) => names.find((p) => p.id === id)?.name ?? id.slice(0, 8);
  const signal = pageSignal();
  const thread = h("ol", { style: "list-style:none;margin:0;padding:0", "data-testid": "conversation" });
  const items = new Map<string, { item: MessageItem; at: number }>();
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const live = h("small", { class: "muted", "data-testid": "conversation-live" });

  const stamp = (m: Message) => Number(m.createTime?.seconds ?? 0n) * 1000 + Math.floor((m.createTime?.nanos ?? 0) / 1e6);
  /** Adds a message in its place (by creation time) or updates the one shown. */
  const show = (m: Message) => {
    const known = items.get(m.id);
    if (known) return known.item.update(m);
    const entry = { item: messageItem(orgId, m, providerName), at: stamp(m) };
    items.set(m.id, entry);
    const later = [...items.values()].filter((x) => x !== entry && x.at > entry.at).sort((a, b) => a.at - b.at)[0];
    thread.insertBefore(entry.item.element, later?.item.element ?? null);
    empty.hidden = true;
  };
  const empty = h("p", { class: "empty", "data-testid": "conversation-empty" }, "No message yet.");

  // The watch starts first, so a change committed while the history loads is not missed.
  const watching = watch(orgId, contactId, signal, show, live, slot);
  await attempt(slot, async () => {
    const res = await messages().listMessages({ orgId, contactId, pageSize: HISTORY });
    for (const m of [...res.messages].reverse()) show(m);
  });
  void watching;

  const addresses = contact?.addresses.map((a) => `${channelLabel(a.channel)} ${a.address}${a.optedOutAt ? " (opted out)" : a.consent?.granted ? "" : " (no consent)"}`).join(" · ");
  return h("div", { class: "grid" },
    messagingHead(orgId, orgName, "contacts", contact?.name || "Contact",
      h("p", { class: "muted", "data-testid": "contact-addresses" }, addresses || "No address."),
      h("p", {}, h("a", { href: link(messagingPath(orgId, "/contacts")) }, "← All contacts"))),
    h("section", { class: "card" }, h("h2", {}, "Conversation ", live), slot, empty, thread),
    h("div", { class: "stack" }, sendBox(orgId, contactId, show), await consentSection(orgId, contactId)));
}

const CHANGE_LABEL: Record<number, string> = { [ConsentChange.GRANTED]: "granted", [ConsentChange.WITHDRAWN]: "withdrawn", [ConsentChange.OPTED_OUT]: "opted out" };

/** Who consented to what, when and how (a form, an import, an inbound STOP, an unsubscribe link). */
async function consentSection(orgId: string, contactId: string): Promise<HTMLElement> {
  const slot = h("div", { class: "slot" });
  const list = h("div", { "data-testid": "consent-history" });
  await attempt(slot, async () => {
    const { events } = await contacts().listConsentEvents({ orgId, recipient: { target: { case: "contactId", value: contactId } }, pageSize: 50 });
    list.replaceChildren(table(["Channel", "Change", "Source", "When"], events.map((e) => [channelLabel(e.channel), CHANGE_LABEL[e.change] ?? "", e.source, formatTime(e.at)]), "consent-events"));
  });
  return h("section", { class: "card" }, h("h2", {}, "Consent history"), slot, list);
}

async function watch(orgId: string, contactId: string, signal: AbortSignal, show: (m: Message) => void, live: HTMLElement, slot: HTMLElement): Promise<void> {
  let cursor = "";
  // A dropped stream (a proxy's idle timeout, a server restart) resumes from the last change it carried.
  for (let tries = 0; !signal.aborted && tries < 5; tries++) {
    live.textContent = "live";
    live.dataset.state = "live";
    try {
      for await (const change of messages().watchMessages({ orgId, contactId, cursor }, { signal, timeoutMs: 0 })) {
        tries = 0;
        cursor = change.cursor || cursor;
        if (change.message) show(change.message);
      }
    } catch (err) {
      if (signal.aborted || ConnectError.from(err).code === Code.Canceled) return;
      if (ConnectError.from(err).code !== Code.Unavailable && ConnectError.from(err).code !== Code.DeadlineExceeded) {
        live.textContent = "not live";
        live.dataset.state = "off";
        slot.replaceChildren(errorBox(err));
        return;
      }
    }
    await new Promise((r) => setTimeout(r, 1000 * (tries + 1)));
  }
  live.textContent = "not live";
  live.dataset.state = "off";
}

function sendBox(orgId: string, contactId: string, show: (m: Message) => void): HTMLElement {
  const subject = h("input", { id: "send-subject", maxlength: 998, "data-testid": "send-subject" });
  const text = h("textarea", { id: "send-text", required: true, rows: 5, maxlength: 65536, "data-testid": "send-text" });
  const category = h("input", { id: "send-category", maxlength: 100, "data-testid": "send-category" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const button = h("button", { type: "submit", "data-testid": "send-message" }, "Send");
  // One key per draft: a double click or a retry after a lost answer sends the message once.
  let key = crypto.randomUUID();
  const form = h("form", { class: "compact", "data-testid": "send-form" },
    h("div", { class: "field" }, h("label", { for: "send-text" }, "Message"), text),
    h("div", { class: "field" }, h("label", { for: "send-subject" }, "Subject (email only)"), subject),
    h("div", { class: "field" }, h("label", { for: "send-category" }, "Category (picks the service chain; optional)"), category),
    slot, button);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    let sent: Message | undefined;
    const ok = await attempt(slot, async () => {
      const res = await messages().sendMessage({
        orgId, recipient: { recipient: { case: "contactId", value: contactId } },
        content: { case: "message", value: { text: text.value, subject: subject.value.trim() } },
        category: category.value.trim(), idempotencyKey: key,
      });
      sent = res.message;
    });
    button.disabled = false;
    if (!ok) return;
    key = crypto.randomUUID();
    form.reset();
    if (sent) show(sent);
  });
  return h("section", { class: "card" }, h("h2", {}, "Send a message"), form);
}
