// One blast (#/orgs/<id>/messaging/blasts/<blast>): its settings and its progress, live through WatchBlast
// (queued, sent, delivered, failed, overall and per service), with pause, resume and cancel.
import { Code, ConnectError } from "@connectrpc/connect";
import { formatTime, h } from "../dom.js";
import { attempt, errorBox, okBox } from "../errors.js";
import { BlastState, type Blast } from "../../../clients/src/gen/polity/mod/messaging/v1/blasts_pb.js";
import type { Provider } from "../../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import { blasts, blastStateBadge, channelLabel, messagingHead, providers, templates } from "./messaging-client.js";
import { pageSignal } from "./voting-shared.js";

export async function blastPage(orgId: string, orgName: string, blastId: string): Promise<Node> {
  const { blast } = await blasts().getBlast({ orgId, blastId });
  if (!blast) throw new Error("No such blast.");
  const [names, templateName] = await Promise.all([
    providers().listProviders({ orgId, pageSize: 200 }).then((r) => r.providers, () => [] as Provider[]),
    templates().getTemplate({ orgId, templateId: blast.templateId }).then((r) => r.template?.name ?? blast.templateId, () => blast.templateId),
  ]);
  const nameOf = (id: string) => names.find((p) => p.id === id)?.name ?? id.slice(0, 8);
  const signal = pageSignal();
  const view = h("div", { "data-testid": "blast-progress" });
  const controls = h("div", { class: "inline", "data-testid": "blast-controls" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const live = h("small", { class: "muted", "data-testid": "blast-live" });

  const show = (b: Blast) => {
    view.replaceChildren(progressView(b, nameOf));
    controls.replaceChildren(...controlsFor(orgId, b, slot, show));
  };
  show(blast);
  void watch(orgId, blastId, signal, show, live, slot);
  return h("div", { class: "grid" },
    messagingHead(orgId, orgName, "blasts", blast.name, settings(blast, templateName)),
    h("section", { class: "card wide" }, h("h2", {}, "Progress ", live), view, slot, controls));
}

async function watch(orgId: string, blastId: string, signal: AbortSignal, show: (b: Blast) => void, live: HTMLElement, slot: HTMLElement): Promise<void> {
  live.textContent = "live";
  try {
    for await (const { blast } of blasts().watchBlast({ orgId, blastId }, { signal, timeoutMs: 0 })) if (blast) show(blast);
    live.textContent = "finished";
  } catch (err) {
    if (signal.aborted || ConnectError.from(err).code === Code.Canceled) return;
    live.textContent = "not live";
    slot.replaceChildren(errorBox(err));
  }
}

function settings(b: Blast, templateName: string): HTMLElement {
  const f = b.filter;
  const items: Array<[string, string]> = [
    ["Template", templateName], ["Language", b.language || "each recipient's"],
    ["Categories", f?.categories.join(", ") || "any"], ["Community", f?.communityId || "the org's contacts"],
    ["Channel", f?.channel ? channelLabel(f.channel) : "any"],
    ["Send", b.localTime ? `${b.localTime} in each recipient's zone` : b.sendTime ? formatTime(b.sendTime) : "at once"],
    ["Quiet hours", b.quietHours?.start ? `${b.quietHours.start}–${b.quietHours.end}` : "none"],
    ["Variables", Object.entries(b.variables).map(([k, v]) => `${k} = ${v}`).join("; ") || "none"],
    ["Created", formatTime(b.createTime)],
  ];
  return h("dl", { style: "display:grid;grid-template-columns:max-content 1fr;gap:0.2rem 1rem;margin:0.75rem 0 0" },
    items.flatMap(([k, v]) => [h("dt", { class: "muted" }, k), h("dd", { style: "margin:0;word-break:break-all" }, v)]));
}

function progressView(b: Blast, nameOf: (id: string) => string): HTMLElement {
  const p = b.progress;
  const n = (x: bigint | undefined) => Number(x ?? 0n);
  const total = n(p?.recipientsTotal);
  const done = n(p?.sent) + n(p?.delivered) + n(p?.failed) + n(p?.cancelled);
  const counts: Array<[string, number]> = [["messages", total], ["skipped", n(p?.skipped)], ["queued", n(p?.queued)], ["sent", n(p?.sent)],
    ["delivered", n(p?.delivered)], ["failed", n(p?.failed)], ["cancelled", n(p?.cancelled)]];
  return h("div", {},
    h("p", {}, blastStateBadge(b.state), b.expanding ? h("span", { class: "badge warn" }, "creating messages") : null),
    h("progress", { max: Math.max(total, 1), value: done, style: "width:100%", "aria-label": "Messages finished" }),
    h("ul", { style: "display:flex;flex-wrap:wrap;gap:1.25rem;list-style:none;padding:0", "data-testid": "blast-counts" },
      counts.map(([k, v]) => h("li", { "data-count": k }, h("strong", {}, String(v)), " ", k))),
    p?.providers.length ? h("div", { class: "table-wrap" }, h("table", { "data-testid": "blast-providers" },
      h("thead", {}, h("tr", {}, ["Service", "Queued", "Sent", "Delivered", "Failed"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, p.providers.map((x) => h("tr", {}, h("td", {}, nameOf(x.providerId)), h("td", {}, String(x.queued)), h("td", {}, String(x.sent)),
        h("td", {}, String(x.delivered)), h("td", {}, String(x.failed))))))) : null);
}

function controlsFor(orgId: string, b: Blast, slot: HTMLElement, show: (b: Blast) => void): HTMLElement[] {
  const act = (label: string, testid: string, cls: string, run: () => Promise<{ blast?: Blast }>, confirmText?: string) =>
    h("button", { type: "button", class: cls, "data-testid": testid, onclick: async () => {
      if (confirmText && !confirm(confirmText)) return;
      let next: Blast | undefined;
      if (await attempt(slot, async () => { next = (await run()).blast; }) && next) {
        show(next);
        slot.replaceChildren(okBox(`${label}: done.`));
      }
    } }, label);
  const req = { orgId, blastId: b.id };
  const out: HTMLElement[] = [];
  if (b.state === BlastState.RUNNING) out.push(act("Pause", "blast-pause", "secondary", () => blasts().pauseBlast(req)));
  if (b.state === BlastState.PAUSED) out.push(act("Resume", "blast-resume", "secondary", () => blasts().resumeBlast(req)));
  if (b.state === BlastState.RUNNING || b.state === BlastState.PAUSED) {
    out.push(act("Cancel", "blast-cancel", "danger", () => blasts().cancelBlast(req), "Cancel this blast for good? Messages not yet sent are cancelled."));
  }
  return out;
}
