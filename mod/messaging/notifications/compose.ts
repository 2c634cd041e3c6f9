// What a notification says: the org's template for the event when the community chose one (rendered in each
// member's language), else a built-in plain text. Times are written in the member's time zone (else the poll's,
// else UTC), so one event reads differently per member; texts are cached per (language, time zone).
import { createHash } from "node:crypto";
import { publicUrlOf } from "../../../sys/core/config.js";
import type { EntityManager } from "../../../sys/core/db.js";
import type { CampaignCrossing } from "../../disco/index.js";
import type { GovernanceProcessSummary, VotingPollSummary } from "./sources.js";
import type { MessagingDeps } from "../deps.js";
import { renderTemplate } from "../templates/render.js";

export type NotificationEvent =
  | { kind: "poll_opened" | "poll_closing_soon"; key: string; communityId: string; poll: VotingPollSummary }
  | { kind: "result_published"; key: string; communityId: string; poll: VotingPollSummary; winners: string[]; verdict: string }
  | { kind: "process_outcome"; key: string; communityId: string; process: GovernanceProcessSummary }
  | { kind: "campaign_threshold_reached"; key: string; communityId: string; crossing: CampaignCrossing };

export interface Content {
  subject?: string;
  text: string;
  html?: string;
  language?: string;
}

/** Same (community, event, member), same key: a replay is refused by the messages store instead of sent twice. */
export function idempotencyKeyOf(communityId: string, eventKey: string, accountId: string): string {
  return `notify-${createHash("sha256").update(`${communityId}\n${eventKey}\n${accountId}`).digest("base64url").slice(0, 40)}`;
}

function validZone(zone: string): string | undefined {
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

export function formatTime(at: Date, language: string, zone: string): string {
  let locale = language || "en";
  try {
    new Intl.DateTimeFormat(locale);
  } catch {
    locale = "en";
  }
  return new Intl.DateTimeFormat(locale, { weekday: "long", year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit", timeZone: zone, timeZoneName: "short" }).format(at);
}

export function variablesOf(deps: Pick<MessagingDeps, "config">, event: NotificationEvent, language: string, memberZone: string): Record<string, string> {
  const base = publicUrlOf(deps.config);
  const vars: Record<string, string> = { community_id: event.communityId, event: event.kind, community_link: `${base}/#/communities/${event.communityId}` };
  if ("poll" in event) {
    const zone = validZone(memberZone) ?? validZone(event.poll.timeZone) ?? "UTC";
    Object.assign(vars, {
      poll_id: event.poll.id,
      poll_title: event.poll.title,
      poll_link: `${base}/#/communities/${event.communityId}/polls/${event.poll.id}`,
      closes_at: event.poll.closesAt ? formatTime(event.poll.closesAt, language, zone) : "",
      time_zone: zone,
    });
  }
  if (event.kind === "result_published") Object.assign(vars, { winners: event.winners.join(", "), verdict: event.verdict });
  if (event.kind === "process_outcome") {
    Object.assign(vars, { process: event.process.name, process_id: event.process.id, status: event.process.status, outcome: JSON.stringify(event.process.outcome) });
  }
  if (event.kind === "campaign_threshold_reached") {
    const c = event.crossing;
    const zone = validZone(memberZone) ?? validZone(c.actionZone) ?? "UTC";
    Object.assign(vars, {
      campaign_id: c.campaignId,
      campaign_title: c.campaignTitle,
      campaign_link: `${base}/#/disco/campaigns/${c.campaignId}`,
      threshold: c.thresholdLabel,
      people: String(c.people),
      total: String(c.total),
      unit: c.unit,
      action_at: c.actionAt ? formatTime(c.actionAt, language, zone) : "",
      time_zone: zone,
    });
  }
  return vars;
}

export function builtInText(event: NotificationEvent, v: Record<string, string>): Content {
  const closing = v.closes_at ? `It closes ${v.closes_at}.` : "It has no closing time.";
  switch (event.kind) {
    case "poll_opened":
      return { subject: `New poll: ${v.poll_title}`, text: `A poll opened in your community: "${v.poll_title}".\n${closing}\nVote: ${v.poll_link}\n` };
    case "poll_closing_soon":
      return { subject: `Closing soon: ${v.poll_title}`, text: `The poll "${v.poll_title}" closes soon: ${v.closes_at}.\nIf you have not voted yet: ${v.poll_link}\n` };
    case "result_published": {
      const result = v.winners ? `Result: ${v.winners} (${v.verdict.replaceAll("_", " ")}).` : `Result: ${v.verdict.replaceAll("_", " ")}.`;
      return { subject: `Result: ${v.poll_title}`, text: `The poll "${v.poll_title}" has closed.\n${result}\nDetails: ${v.poll_link}\n` };
    }
    case "process_outcome":
      return { subject: `${v.process}: ${v.status}`, text: `The governance process ${v.process} ${v.status}.\nOutcome: ${v.outcome}\n${v.community_link}\n` };
    case "campaign_threshold_reached": {
      const reached = v.threshold ? `"${v.threshold}" is reached` : "A threshold is reached";
      const action = v.action_at ? `The action is set for ${v.action_at}.\n` : "";
      return {
        subject: `Threshold reached: ${v.campaign_title}`,
        text: `${reached} in the campaign "${v.campaign_title}": ${v.people} people pledged ${v.total} ${v.unit}.\n${action}Details: ${v.campaign_link}\n`,
      };
    }
  }
}

/** One event's text for one member, through a per-event cache keyed by language and time zone. */
export function createComposer(deps: MessagingDeps, em: EntityManager, orgId: string, event: NotificationEvent, templateId: string) {
  const cache = new Map<string, Promise<Content>>();
  const compose = async (language: string, zone: string): Promise<Content> => {
    const vars = variablesOf(deps, event, language, zone);
    if (templateId) {
      try {
        return await renderTemplate(deps, em, orgId, templateId, language, vars);
      } catch (error) {
        // A template deleted or broken since it was chosen must not hold back every later notification.
        deps.logger.warn({ err: error, template: templateId, event: event.kind }, "notification template failed; sending the built-in text");
      }
    }
    return builtInText(event, vars);
  };
  return (language: string, zone: string): Promise<Content> => {
    const key = `${language}\n${zone}`;
    let content = cache.get(key);
    if (!content) cache.set(key, (content = compose(language, zone)));
    return content;
  };
}
