// When a campaign's action happens, in the campaign's own zone (as the organisers said it) and in the viewer's
// (the browser's zone), from the instant the server resolved. Formatting an instant in a zone is the browser's
// ICU data; only converting a local time to an instant (where DST needs a choice) goes to the server.
import { h } from "../dom.js";
import { browserZone } from "../components/zone-picker.js";
import type { ActionTime } from "../../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";

/** "Saturday 14 March 2026 at 10:00 CET" in `zone` (the viewer's zone when `zone` is unknown to the browser). */
export function formatInZone(at: Date, zone: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short", timeZone: zone }).format(at) + ` ${zoneName(at, zone)}`;
  } catch {
    return at.toLocaleString();
  }
}

function zoneName(at: Date, zone: string): string {
  const part = new Intl.DateTimeFormat(undefined, { timeZone: zone, timeZoneName: "short" }).formatToParts(at).find((p) => p.type === "timeZoneName");
  return part?.value ?? "";
}

export function actionTimeView(action: ActionTime): HTMLElement {
  const at = action.at ? new Date(Number(action.at.seconds) * 1000) : undefined;
  if (!at) return h("span", {}, `${action.localTime} (${action.timeZone})`);
  const mine = browserZone();
  return h("span", { "data-testid": "campaign-action-time", "data-at": at.toISOString() },
    h("span", { "data-testid": "action-time-campaign-zone" }, `${formatInZone(at, action.timeZone)} (${action.timeZone})`),
    mine !== action.timeZone ? h("small", { class: "muted", "data-testid": "action-time-my-zone" }, h("br", {}), `Your time: ${formatInZone(at, mine)} (${mine})`) : null);
}
