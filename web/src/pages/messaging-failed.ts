// Dead letters (#/orgs/<id>/messaging/failed): the org's FAILED outgoing messages, newest first, each with the
// reason it failed and every attempt (service, outcome, reason), a link to its conversation and a retry, which
// sends it through its chain again from the first service.
import { formatTime, h } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { link } from "../router.js";
import type { Provider } from "../../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import type { FailedMessage } from "../../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { channelLabel, contacts, messages, messagingHead, messagingPath, providers } from "./messaging-client.js";
import { attemptsTable } from "./messaging-message-item.js";

const PAGE = 50;

export async function failedPage(orgId: string, orgName: string): Promise<Node> {
  const names = await providers().listProviders({ orgId, pageSize: 200 }).then((r) => r.providers, () => [] as Provider[]);
  const providerName = (id: string) => names.find((p) => p.id === id)?.name ?? id.slice(0, 8);
  const list = h("ul", { style: "list-style:none;margin:0;padding:0", "data-testid": "failed-messages" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const more = h("div");
  const load = (pageToken = "", append = false) => attempt(slot, async () => {
    const res = await messages().listFailedMessages({ orgId, pageSize: PAGE, pageToken });
    const names = await contactNames(orgId, res.messages.map((f) => f.message?.contactId ?? ""));
    const rows = res.messages.map((f) => failedItem(orgId, f, providerName, names, slot));
    if (append) list.append(...rows);
    else list.replaceChildren(...rows);
    if (!append && rows.length === 0) list.replaceChildren(h("li", { class: "empty", "data-testid": "failed-empty" }, "No failed message."));
    more.replaceChildren(res.nextPageToken ? h("button", { type: "button", class: "secondary", onclick: () => void load(res.nextPageToken, true) }, "More") : "");
  });
  await load();
  return h("div", { class: "grid" },
    messagingHead(orgId, orgName, "failed", "Failed messages", h("p", { class: "muted" },
      "Messages every service of their chain refused or kept failing, with each attempt's reason. Retrying sends one through its chain again from the first service.")),
    h("section", { class: "card wide" }, slot, list, more));
}

/** The names of a page's contacts, each asked once; an erased or unreadable one stays unnamed. */
async function contactNames(orgId: string, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter(Boolean))];
  const found = await Promise.all(unique.map((contactId) => contacts().getContact({ orgId, contactId }).then((r) => r.contact?.name ?? "", () => "")));
  return new Map(unique.map((id, i) => [id, found[i] || "a contact"]));
}

function failedItem(orgId: string, f: FailedMessage, providerName: (id: string) => string, names: Map<string, string>, slot: HTMLElement): HTMLElement {
  const m = f.message!;
  const item = h("li", { style: "border-top:1px solid var(--line);padding:0.75rem 0", "data-message": m.id },
    h("div", { style: "display:flex;gap:0.75rem;align-items:baseline;flex-wrap:wrap" },
      m.contactId ? h("a", { href: link(messagingPath(orgId, `/contacts/${m.contactId}`)), "data-testid": "failed-contact" }, names.get(m.contactId) ?? "a contact") : h("span", { class: "muted" }, "a community member"),
      h("small", { class: "muted" }, [formatTime(m.createTime), m.channel ? channelLabel(m.channel) : "", m.address, m.category].filter(Boolean).join(" · ")),
      h("span", { style: "margin-left:auto" }, h("button", { type: "button", class: "small", "data-testid": "retry-message", onclick: async () => {
        if (await attempt(slot, () => messages().retryMessage({ orgId, messageId: m.id }))) {
          item.remove();
          slot.replaceChildren(okBox("Sent again: the message is PENDING."));
        }
      } }, "Retry"))),
    h("div", { style: "white-space:pre-wrap;overflow-wrap:anywhere;margin:0.35rem 0" }, m.subject ? `${m.subject}\n` : "", m.text),
    h("p", { class: "alert error", "data-testid": "failed-reason", style: "margin:0.35rem 0" }, f.reason || "No reason recorded."),
    h("details", {}, h("summary", {}, `${f.attempts.length} attempt${f.attempts.length === 1 ? "" : "s"}`), attemptsTable(f.attempts, providerName)));
  return item;
}
