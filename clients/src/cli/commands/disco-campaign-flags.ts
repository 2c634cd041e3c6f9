// The flags of `polity disco campaigns create|update`: thresholds, media links and precedents as key=value lists,
// the action time as a local time in a zone, and the statuses by name. Usage errors exit 2 before any call.
import { InvalidArgumentError } from "commander";
import { ActionTimeDisambiguation, CampaignStatus, MediaKind } from "../../gen/polity/mod/disco/v1/campaigns_pb.js";

export const STATUSES: Record<string, CampaignStatus> = {
  draft: CampaignStatus.DRAFT,
  active: CampaignStatus.ACTIVE,
  triggered: CampaignStatus.TRIGGERED,
  closed: CampaignStatus.CLOSED,
};
export const statusName = (status: CampaignStatus): string => Object.entries(STATUSES).find(([, v]) => v === status)?.[0] ?? "?";

const DST: Record<string, ActionTimeDisambiguation> = {
  earlier: ActionTimeDisambiguation.EARLIER,
  later: ActionTimeDisambiguation.LATER,
  reject: ActionTimeDisambiguation.REJECT,
};

const MEDIA: Record<string, MediaKind> = {
  video: MediaKind.VIDEO, image: MediaKind.IMAGE, article: MediaKind.ARTICLE, audio: MediaKind.AUDIO, social: MediaKind.SOCIAL, other: MediaKind.OTHER,
};

function oneOf<T>(table: Record<string, T>, what: string) {
  return (value: string): T => {
    const found = table[value.trim().toLowerCase()];
    if (found === undefined) throw new InvalidArgumentError(`"${value}" is not ${what}; use ${Object.keys(table).join(", ")}`);
    return found;
  };
}

export const statusOf = oneOf(STATUSES, "a campaign status");
export const dstOf = oneOf(DST, "a DST choice");

/** "a=1,b=two" → { a: "1", b: "two" }, with only `keys` allowed. */
function pairs(value: string, keys: string[], example: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(",")) {
    const at = part.indexOf("=");
    const key = part.slice(0, at).trim();
    if (at < 1 || !keys.includes(key)) throw new InvalidArgumentError(`"${part}" is not one of ${keys.map((k) => `${k}=…`).join(", ")} (e.g. ${example})`);
    out[key] = part.slice(at + 1).trim();
  }
  return out;
}

function number(text: string | undefined, what: string, integer = false): number {
  if (text === undefined || text === "") return 0;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new InvalidArgumentError(`${what} must be a non-negative ${integer ? "whole " : ""}number, not "${text}"`);
  return n;
}

/** A threshold whose question is still a name or an id (resolved against the survey later). */
export interface ThresholdFlag {
  question: string;
  label: string;
  people: number;
  min: number;
  total: number;
}

const THRESHOLD_EXAMPLE = `question=Volunteer,people=200,min=10`;

export function thresholdOf(value: string, previous: ThresholdFlag[] = []): ThresholdFlag[] {
  const p = pairs(value, ["question", "people", "min", "total", "label"], THRESHOLD_EXAMPLE);
  if (!p.question) throw new InvalidArgumentError(`a threshold names its support role: question=NAME or id (e.g. ${THRESHOLD_EXAMPLE})`);
  const t = { question: p.question, label: p.label ?? "", people: number(p.people, "people", true), min: number(p.min, "min"), total: number(p.total, "total") };
  if (t.people === 0 && t.total === 0) throw new InvalidArgumentError(`a threshold needs people=N or total=AMOUNT (e.g. ${THRESHOLD_EXAMPLE})`);
  return [...previous, t];
}

export function mediaOf(value: string, previous: Array<{ kind: MediaKind; url: string; title: string }> = []) {
  const at = value.indexOf("=");
  const kind = at > 0 ? MEDIA[value.slice(0, at).trim().toLowerCase()] : undefined;
  if (kind === undefined) throw new InvalidArgumentError(`"${value}" is not KIND=URL with KIND one of ${Object.keys(MEDIA).join(", ")} (e.g. video=https://…)`);
  return [...previous, { kind, url: value.slice(at + 1).trim(), title: "" }];
}

export function precedentOf(value: string, previous: Array<{ title: string; year: number; place: string; summary: string; url: string }> = []) {
  const p = pairs(value, ["title", "year", "place", "url"], "title=Thames clean-up,year=1998,place=London");
  if (!p.title) throw new InvalidArgumentError("a precedent needs title=…");
  return [...previous, { title: p.title, year: number(p.year, "year", true), place: p.place ?? "", summary: "", url: p.url ?? "" }];
}
