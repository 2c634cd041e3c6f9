// The rules of a poll that the proto's annotations cannot express (they depend on the method or on several
// fields at once). Each failure is InvalidArgument naming the field. Pure: no I/O.
import type { Poll } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { invalidArgument } from "../../../sys/core/errors.js";
import type { TimeFunctions } from "../../../sys/timespace/time/time-functions.js";
import { dateOf, eligibilitySnapshotName, methodNames, quorumJson, secrecyName, visibilityName } from "./codec.js";
import type { PollRow } from "../entities.js";

/** A region zone the time library knows (canonical or alias, e.g. Asia/Calcutta), or UTC; not "EST" and the like. */
function isTimeZone(zone: string, time: Pick<TimeFunctions, "isZone">): boolean {
  return (zone.includes("/") || zone === "UTC") && time.isZone(zone);
}

export const DEFAULT_ROLES = ["admin", "moderator", "member"];

/** The writable settings of a poll, as stored. */
export type PollSettings = Pick<PollRow,
  "title" | "body" | "options" | "method" | "topics" | "opensAt" | "closesAt" | "timeZone" | "eligibleRoles" | "quorum" |
  "passThresholdPercent" | "seats" | "minSelections" | "maxSelections" | "maxScore" | "resultVisibility" | "secrecy" |
  "tieBreakSeed" | "allowDelegation" | "shuffleOptions" | "eligibilitySnapshot">;

/** Settings from a Poll message, normalised (defaults filled in) but not yet checked. */
export function settingsOf(poll: Poll): PollSettings {
  const method = methodNames[poll.method];
  return {
    title: poll.title,
    body: poll.body,
    // Proposal options are fixed (agree/disagree/abstain/block): whatever was sent is ignored.
    options: method === "proposal" ? [] : poll.options.map((o) => ({ id: o.id, label: o.label, description: o.description })),
    method,
    topics: [...poll.topics],
    opensAt: dateOf(poll.opensAt),
    closesAt: dateOf(poll.closesAt),
    timeZone: poll.timeZone || "UTC",
    eligibleRoles: poll.eligibleRoles.length ? [...poll.eligibleRoles] : [...DEFAULT_ROLES],
    quorum: quorumJson(poll),
    passThresholdPercent: poll.passThresholdPercent,
    seats: poll.seats || 1,
    minSelections: poll.minSelections,
    maxSelections: poll.maxSelections,
    maxScore: poll.maxScore || 5,
    resultVisibility: visibilityName(poll.resultVisibility),
    secrecy: secrecyName(poll.secrecy),
    tieBreakSeed: poll.tieBreakSeed,
    allowDelegation: poll.allowDelegation ?? true,
    shuffleOptions: poll.shuffleOptions,
    eligibilitySnapshot: eligibilitySnapshotName(poll.eligibilitySnapshot),
  };
}

/** Throws InvalidArgument (field named as in the request, under `poll.`) for the first broken rule. */
export function checkSettings(s: PollSettings, time: Pick<TimeFunctions, "isZone">, now = new Date(), opts: { requireFutureOpen?: boolean } = {}): void {
  const bad = (field: string, message: string) => invalidArgument(`poll.${field}`, message);
  if (!s.method) throw bad("method", "unknown voting method");
  if (s.method !== "proposal") {
    const n = s.options.length;
    if (n < 2 || n > 100) throw bad("options", `${s.method === "plurality" ? "single choice" : s.method} polls need 2 to 100 options, got ${n}`);
    const seen = new Set<string>();
    s.options.forEach((o, i) => {
      if (seen.has(o.id)) throw bad(`options[${i}].id`, `option id "${o.id}" is used twice`);
      seen.add(o.id);
    });
    if (s.seats > n) throw bad("seats", `${s.seats} seats but only ${n} options`);
    if (s.seats > 1 && !["stv", "plurality", "approval", "score", "schulze"].includes(s.method))
      throw bad("seats", `${s.method} elects one winner`);
    if (s.method === "approval") {
      const min = s.minSelections || 1;
      const max = s.maxSelections || n;
      if (max > n) throw bad("max_selections", `${max} exceeds the ${n} options`);
      if (min > max) throw bad("min_selections", `${min} is more than max_selections ${max}`);
    } else if (s.minSelections || s.maxSelections) {
      throw bad(s.minSelections ? "min_selections" : "max_selections", "only approval polls limit selections");
    }
  }
  if (s.opensAt && s.closesAt && s.closesAt <= s.opensAt) throw bad("closes_at", "must be after opens_at");
  if (s.closesAt && s.closesAt <= now) throw bad("closes_at", "must be in the future");
  if (opts.requireFutureOpen && s.opensAt && s.opensAt <= now) throw bad("opens_at", "must be in the future");
  if (!isTimeZone(s.timeZone, time)) throw bad("time_zone", `"${s.timeZone}" is not an IANA time zone`);
}

/** Proto field names (snake_case, as in update masks) → the settings they write. */
export const MASKABLE: Record<string, keyof PollSettings> = {
  title: "title", body: "body", options: "options", method: "method", topics: "topics", opens_at: "opensAt",
  closes_at: "closesAt", time_zone: "timeZone", eligible_roles: "eligibleRoles", quorum: "quorum",
  pass_threshold_percent: "passThresholdPercent", seats: "seats", min_selections: "minSelections",
  max_selections: "maxSelections", max_score: "maxScore", result_visibility: "resultVisibility", secrecy: "secrecy",
  tie_break_seed: "tieBreakSeed", allow_delegation: "allowDelegation", shuffle_options: "shuffleOptions",
  eligibility_snapshot: "eligibilitySnapshot",
};

/** Applies the masked fields of `incoming` over `current`; unknown paths are InvalidArgument. */
export function applyMask(current: PollSettings, incoming: PollSettings, paths: string[]): PollSettings {
  const next = { ...current };
  for (const raw of paths) {
    const path = raw.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const key = MASKABLE[path];
    if (!key) throw invalidArgument("update_mask", `"${raw}" is not writable`);
    (next as Record<string, unknown>)[key] = incoming[key];
  }
  // Switching to a proposal drops the options; switching away from one needs options in the same update.
  if (next.method === "proposal") next.options = [];
  return next;
}
