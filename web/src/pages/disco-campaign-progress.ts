// A campaign's progress: one bar per threshold (people who pledged enough, and the pledged total, against what
// the threshold asks), kept current through WatchCampaign for as long as the page is open. Counts only: the
// stream never says who pledged.
import { formatTime, h } from "../dom.js";
import { followStream } from "../components/live-stream.js";
import { CampaignStatus, type CampaignProgress, type ThresholdProgress } from "../../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { campaigns } from "./disco-client.js";

const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

function bar(label: string, value: number, required: number, testid: string): HTMLElement {
  const reached = value >= required;
  return h("div", { class: "bar", "data-testid": testid, "data-value": String(value), "data-required": String(required) },
    h("progress", { max: required, value: Math.min(value, required), "aria-label": label }),
    h("small", {}, h("strong", {}, number.format(value)), ` of ${number.format(required)} ${label}`, reached ? " ✓" : ""));
}

function thresholdView(t: ThresholdProgress): HTMLElement {
  const people = Number(t.people);
  const unit = t.unit || "pledged";
  return h("div", { class: `threshold${t.crossedAt ? " reached" : ""}`, "data-testid": "threshold", "data-threshold": t.thresholdId },
    h("p", {}, h("strong", {}, t.label || "Threshold"),
      t.crossedAt ? h("span", { class: "badge ok", "data-testid": "threshold-crossed" }, `reached ${formatTime(t.crossedAt)}`) : null),
    t.peopleRequired > 0 ? bar("people", people, t.peopleRequired, "threshold-people") : null,
    t.totalAmountRequired > 0 ? bar(unit, t.totalAmount, t.totalAmountRequired, "threshold-total") : null);
}

export function progressView(progress: CampaignProgress | undefined): HTMLElement {
  if (!progress?.thresholds.length) return h("p", { class: "empty", "data-testid": "thresholds-empty" }, "This campaign has no pledge threshold.");
  return h("div", {},
    progress.triggeredAt ? h("p", { class: "muted", "data-testid": "campaign-triggered" }, `Every threshold reached ${formatTime(progress.triggeredAt)}: time to act.`) : null,
    progress.thresholds.map(thresholdView));
}

/**
 * The progress section, drawn from `initial` and then from WatchCampaign until the page goes away; `onStatus`
 * hears each status the stream reports (the page's header shows it).
 */
export function progressSection(campaignId: string, initial: CampaignProgress | undefined, signal: AbortSignal, onStatus?: (status: CampaignStatus) => void): HTMLElement {
  const view = h("div", { "data-testid": "campaign-progress", "aria-live": "polite" }, progressView(initial));
  const live = h("small", { class: "muted live-dot", "data-testid": "campaign-live" });
  const slot = h("div", { class: "slot" });
  const show = (p: CampaignProgress) => {
    view.replaceChildren(progressView(p));
    onStatus?.(p.status);
  };
  if (initial?.status === CampaignStatus.CLOSED) {
    live.textContent = "closed";
    live.dataset.state = "done";
  } else {
    void followStream({
      open: (s) => campaigns().watchCampaign({ campaignId }, { signal: s, timeoutMs: 0 }),
      onMessage: ({ progress }) => {
        if (progress) show(progress);
        // A closed campaign's progress no longer moves: the server ends the stream and so do we.
        return progress?.status === CampaignStatus.CLOSED ? "stop" : undefined;
      },
      signal, live, slot,
    });
  }
  return h("section", { class: "card wide" }, h("h2", {}, "Progress ", live), slot, view);
}
