// One message in a conversation or a list: its direction, text, state and where it went; for an outgoing one
// its history and every send attempt (which service, the outcome and reason), loaded when expanded and
// refreshed when its state changes while open.
import { formatTime, h } from "../dom.js";
import { errorBox } from "../errors.js";
import { Direction } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { SendAttempt_Outcome, type Message, type MessageHistoryEntry, type SendAttempt } from "../../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { channelLabel, messages, messageStateBadge, STATE_LABEL } from "./messaging-client.js";

export const OUTCOME_LABEL: Record<number, string> = {
  [SendAttempt_Outcome.RUNNING]: "running", [SendAttempt_Outcome.SENT]: "sent",
  [SendAttempt_Outcome.TRANSIENT]: "transient failure (retried)", [SendAttempt_Outcome.PERMANENT]: "permanent failure (next service)",
};

export interface MessageItem {
  element: HTMLElement;
  update(m: Message): void;
}

export function messageItem(orgId: string, initial: Message, providerName: (id: string) => string): MessageItem {
  let message = initial;
  const outgoing = message.direction === Direction.OUTGOING;
  const badge = h("span");
  const meta = h("small", { class: "muted" });
  const details = h("div", { "data-testid": "message-details" });
  const expand = h("details", { "data-testid": "message-expand" }, h("summary", {}, "History and attempts"), details);
  const loadDetails = async () => {
    try {
      const res = await messages().getMessage({ orgId, messageId: message.id });
      details.replaceChildren(historyTable(res.history, providerName), attemptsTable(res.attempts, providerName));
    } catch (err) {
      details.replaceChildren(errorBox(err));
    }
  };
  expand.addEventListener("toggle", () => { if (expand.open) void loadDetails(); });
  const render = () => {
    badge.replaceChildren(messageStateBadge(message.state));
    meta.textContent = [formatTime(message.createTime), message.channel ? channelLabel(message.channel) : "", message.address,
      message.providerId ? `via ${providerName(message.providerId)}` : ""].filter(Boolean).join(" · ");
  };
  render();
  const element = h("li", {
    "data-message": message.id, "data-direction": outgoing ? "out" : "in",
    style: `max-width:80%;margin:0.5rem 0;padding:0.6rem 0.8rem;border:1px solid var(--line);border-radius:10px;${outgoing ? "margin-left:auto;background:var(--bg)" : "margin-right:auto"}`,
  },
  h("div", { style: "display:flex;gap:0.5rem;align-items:baseline;flex-wrap:wrap" }, h("strong", {}, outgoing ? "Sent" : "Received"), badge, meta),
  message.subject ? h("div", {}, h("strong", {}, message.subject)) : null,
  h("div", { style: "white-space:pre-wrap;overflow-wrap:anywhere", "data-testid": "message-text" }, message.text),
  outgoing ? expand : null);
  return {
    element,
    update(m) {
      // The send's own answer can arrive after the watch reported later states: never step back.
      if (stampOf(m) < stampOf(message)) return;
      const changed = m.state !== message.state;
      message = m;
      render();
      if (changed && expand.open) void loadDetails();
    },
  };
}

const stampOf = (m: Message) => Number(m.updateTime?.seconds ?? 0n) * 1e3 + (m.updateTime?.nanos ?? 0) / 1e6;

export function historyTable(history: MessageHistoryEntry[], providerName: (id: string) => string): HTMLElement {
  return h("div", { class: "table-wrap" }, h("table", { "data-testid": "message-history" },
    h("caption", { style: "text-align:left" }, "History"),
    h("thead", {}, h("tr", {}, ["State", "When", "Service", "Reason"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, history.map((e) => h("tr", { "data-state": STATE_LABEL[e.state] ?? "" },
      h("td", {}, STATE_LABEL[e.state] ?? ""), h("td", {}, formatTime(e.time)), h("td", {}, e.providerId ? providerName(e.providerId) : ""), h("td", {}, e.reason))))));
}

export function attemptsTable(attempts: SendAttempt[], providerName: (id: string) => string): HTMLElement {
  if (attempts.length === 0) return h("p", { class: "muted" }, "No send attempt yet.");
  return h("div", { class: "table-wrap" }, h("table", { "data-testid": "message-attempts" },
    h("caption", { style: "text-align:left" }, "Attempts"),
    h("thead", {}, h("tr", {}, ["Service", "#", "Started", "Outcome", "Reason"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, attempts.map((a) => h("tr", { "data-outcome": OUTCOME_LABEL[a.outcome] ?? "" },
      h("td", {}, providerName(a.providerId)), h("td", {}, a.attempt), h("td", {}, formatTime(a.startTime)),
      h("td", {}, OUTCOME_LABEL[a.outcome] ?? "", a.retryAfterMs ? ` (Retry-After ${Number(a.retryAfterMs) / 1000} s)` : ""),
      h("td", { style: "overflow-wrap:anywhere" }, a.reason))))));
}
