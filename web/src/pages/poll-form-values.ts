// The poll form's pure parts: option ids made from labels, wall-clock times in a chosen IANA zone turned into
// instants and back, and which settings apply to which voting method.
import { VotingMethod } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";

export interface OptionInit { id: string; label: string; description: string }

/** The proto's id rule: 1–32 of [A-Za-z0-9_-]. */
function slug(label: string): string {
  const s = label.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 32).replace(/-+$/, "");
  return s || "option";
}

/**
 * Options typed one per line → {id, label}. Ids come from the labels (accents dropped, a suffix on a clash);
 * an option already on the poll keeps its id when its label is unchanged, so editing a draft does not rename
 * what stays.
 */
export function optionsFromLines(text: string, existing: OptionInit[] = []): OptionInit[] {
  const labels = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const byLabel = new Map(existing.map((o) => [o.label, o]));
  const kept = labels.map((l) => byLabel.get(l));
  const used = new Set(kept.filter((o) => o !== undefined).map((o) => o.id));
  return labels.map((label, i) => {
    const old = kept[i];
    if (old && labels.indexOf(label) === i) return { id: old.id, label, description: old.description };
    const base = slug(label);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base.slice(0, 32 - String(n).length - 1)}-${n}`;
    used.add(id);
    return { id, label, description: "" };
  });
}

/** The zone's offset from UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(instant));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - Math.floor(instant / 1000) * 1000;
}

/**
 * "2027-03-15T18:30" read on a wall clock in `zone` → the instant. A time a clock change repeats is its first
 * occurrence; a time it skips is read with the offset before the change (02:30 on a spring-forward night is 03:30).
 */
export function zonedToInstant(local: string, zone: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) throw new Error(`"${local}" is not a date and time`);
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  const day = 86_400_000;
  // Zones change offset at most once a day: the offsets a day either side are the only candidates.
  const candidates = [offsetAt(wall - day, zone), offsetAt(wall + day, zone)].map((o) => wall - o);
  const valid = candidates.filter((t) => wall - offsetAt(t, zone) === t).sort((a, b) => a - b);
  return new Date(valid[0] ?? candidates[0]);
}

/** The instant as a datetime-local value on a wall clock in `zone`. */
export function instantToZoned(date: Date, zone: string): string {
  const local = new Date(date.getTime() + offsetAt(date.getTime(), zone));
  return local.toISOString().slice(0, 16);
}

/** IANA zones the browser knows, with UTC (which some engines leave out of the list). */
export function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Which method-specific settings the form shows for a method. */
export function relevant(method: VotingMethod): { options: boolean; threshold: boolean; approvals: boolean; score: boolean; seats: boolean } {
  return {
    options: method !== VotingMethod.PROPOSAL,
    threshold: method === VotingMethod.PROPOSAL || method === VotingMethod.SINGLE_CHOICE,
    approvals: method === VotingMethod.APPROVAL,
    score: method === VotingMethod.SCORE || method === VotingMethod.STAR,
    seats: method === VotingMethod.STV,
  };
}
