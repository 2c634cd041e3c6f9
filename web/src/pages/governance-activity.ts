// The governance page's moving parts: the community's processes (refreshed while any is pending, and on each
// event) and its events (the newest from ListEvents, then live through WatchEvents until the page is left).
import type { JsonObject } from "@bufbuild/protobuf";
import { formatTime, h, table } from "../dom.js";
import { ProcessStatus, type Event, type Process } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { attemptGovernance, governance, governanceErrorBox } from "./governance-client.js";

const STATUS: Record<number, [string, string]> = {
  [ProcessStatus.CREATED]: ["starting", "warn"], [ProcessStatus.PENDING]: ["pending", "warn"], [ProcessStatus.COMPLETED]: ["completed", "ok"],
  [ProcessStatus.FAILED]: ["failed", "danger"], [ProcessStatus.CANCELLED]: ["cancelled", "neutral"],
};
const SHOWN_EVENTS = 50;
const PENDING_REFRESH_MS = 5000;

const json = (value: JsonObject | undefined) => (value && Object.keys(value).length ? JSON.stringify(value) : "");
const pending = (p: Process) => p.status === ProcessStatus.PENDING || p.status === ProcessStatus.CREATED;

export function processesSection(communityId: string, signal: AbortSignal): { element: HTMLElement; load: () => Promise<unknown> } {
  const list = h("div", { "data-testid": "processes" });
  const slot = h("div", { class: "slot" });
  let timer: ReturnType<typeof setTimeout> | undefined;
  signal.addEventListener("abort", () => clearTimeout(timer));
  const load = () => attemptGovernance(slot, async () => {
    clearTimeout(timer);
    const { processes } = await governance().listProcesses({ communityId, pageSize: 50 });
    list.replaceChildren(table(["Process", "Status", "Outcome", "Started", "Updated"], processes.map((p) => {
      const [label, tone] = STATUS[p.status] ?? ["unknown", "neutral"];
      const errors = json(p.errors);
      return [
        h("span", { title: p.id }, p.name),
        h("span", { class: `badge ${tone}`, "data-testid": "process-status", "data-status": label }, label),
        h("div", {}, json(p.outcome) ? h("code", { class: "json" }, json(p.outcome)) : null, errors ? h("div", { class: "field-error" }, errors) : null),
        formatTime(p.createTime), formatTime(p.updateTime),
      ];
    }), "processes-table"));
    // A pending process settles on the server's schedule: look again shortly, for as long as the page is open.
    if (processes.some(pending) && !signal.aborted) timer = setTimeout(() => void load(), PENDING_REFRESH_MS);
  });
  return { element: h("section", { class: "card" }, h("h2", {}, "Processes"), slot, list), load };
}

export function eventsSection(communityId: string, signal: AbortSignal, onEvent: () => void): HTMLElement {
  const feed = h("ol", { class: "feed", "data-testid": "governance-events" });
  const slot = h("div", { class: "slot" });
  const empty = h("p", { class: "empty", "data-testid": "governance-events-empty" }, "Loading events…");
  const add = (e: Event) => {
    empty.remove();
    feed.prepend(item(e));
    while (feed.children.length > SHOWN_EVENTS) feed.lastElementChild?.remove();
  };
  void (async () => {
    try {
      // Events come oldest first: page to the end, keeping the newest, then follow from there.
      let cursor = "";
      let recent: Event[] = [];
      for (;;) {
        const res = await governance().listEvents({ communityId, afterCursor: cursor, pageSize: 500 }, { signal });
        recent = [...recent, ...res.events].slice(-SHOWN_EVENTS);
        if (res.events.length === 0 || res.cursor === cursor) break;
        cursor = res.cursor;
      }
      empty.textContent = "No events yet.";
      for (const e of recent) add(e);
      for await (const { event } of governance().watchEvents({ communityId, afterCursor: cursor }, { signal, timeoutMs: 0 })) {
        if (!event) continue;
        add(event);
        onEvent();
      }
    } catch (err) {
      if (!signal.aborted) slot.replaceChildren(governanceErrorBox(err));
    }
  })();
  return h("section", { class: "card" }, h("h2", {}, "Events"), h("p", { class: "muted" }, "Newest first; new ones appear as they happen."), slot, empty, feed);
}

function item(e: Event): HTMLElement {
  const who = e.initiator?.user_id;
  const data = json(e.data);
  return h("li", { "data-cursor": e.cursor, "data-type": e.type },
    h("strong", {}, e.type), typeof who === "string" && who ? ` by ${who}` : null,
    h("small", { class: "muted" }, ` ${formatTime(e.time)}`),
    data ? h("details", {}, h("summary", {}, "data"), h("pre", {}, JSON.stringify(e.data, null, 2))) : null);
}
