// `polity polls create` input: a poll document (--from-file, JSON or YAML) overlaid with flags. Documents use
// the proto's JSON names (camelCase or snake_case) and also the CLI's short words — method "irv", quorum
// "50%", options as "id:Label" strings, resultVisibility "after-close" — so a file reads like the flags.
import { readFileSync } from "node:fs";
import { fromJson, type JsonValue, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { EligibilitySnapshot, PollSchema, VotingMethod } from "../gen/polity/mod/voting/v1/voting_pb.js";
import { UsageError } from "./exit.js";
import { METHODS, parseName, RESULT_VISIBILITIES, SECRECIES } from "./voting-names.js";

export interface PollFlags {
  fromFile?: string;
  title?: string;
  body?: string;
  method?: string;
  option?: string[];
  topic?: string[];
  opensAt?: string;
  closesAt?: string;
  tz?: string;
  eligible?: string;
  quorum?: string;
  threshold?: string;
  seats?: number;
  min?: number;
  max?: number;
  maxScore?: number;
  results?: string;
  secret?: boolean;
  seed?: string;
  delegation?: boolean;
  shuffle?: boolean;
  electorate?: string;
}

/** --electorate: who may vote is fixed when the poll opens (default) or when it closes. */
export const ELECTORATES: Record<string, EligibilitySnapshot> = { "at-open": EligibilitySnapshot.AT_OPEN, "at-close": EligibilitySnapshot.AT_CLOSE };

type PollInit = MessageInitShape<typeof PollSchema>;
type Json = Record<string, JsonValue>;

/** "oranges:Fresh oranges" → {id, label}; a bare label gets an id made from it. */
export function parseOption(text: string): { id: string; label: string } {
  const i = text.indexOf(":");
  if (i > 0) return { id: text.slice(0, i).trim(), label: text.slice(i + 1).trim() };
  const id = text.trim().toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 32);
  if (!id) throw new UsageError(`option "${text}" needs an id: use --option id:Label`);
  return { id, label: text.trim() };
}

/** "50%" → percent of eligible; "12" → an absolute number of voters. */
export function parseQuorum(text: string): PollInit["quorum"] {
  const t = text.trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (pct) return { kind: { case: "percentOfEligible", value: Number(pct[1]) } };
  if (/^\d+$/.test(t)) return { kind: { case: "absolute", value: Number(t) } };
  throw new UsageError(`bad quorum "${text}": use a percentage like 50% or a number of voters like 12`);
}

export function parsePercent(text: string): number {
  const n = Number(text.trim().replace(/%$/, ""));
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new UsageError(`bad threshold "${text}": expected a percentage from 0 to 100`);
  return n;
}

export function parseTime(text: string, what: string): PollInit["opensAt"] {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new UsageError(`bad ${what} "${text}": expected an ISO 8601 time such as 2026-12-01T09:00:00Z`);
  return timestampFromDate(d);
}

async function readDocument(path: string): Promise<Json> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    if (/\.ya?ml$/i.test(path)) {
      // Loaded only for YAML files, so the SDK does not need the package for anything else.
      const yaml = await import("yaml");
      return yaml.parse(text) as Json;
    }
    return JSON.parse(text) as Json;
  } catch (err) {
    throw new UsageError(`${path} is not valid ${/\.ya?ml$/i.test(path) ? "YAML" : "JSON"}: ${(err as Error).message}`);
  }
}

/** Rewrites the short words a document may use into proto JSON, then parses it strictly. */
function documentToPoll(doc: Json): PollInit {
  const d: Json = { ...doc };
  const pick = (...keys: string[]) => keys.find((k) => k in d);
  if (typeof d.method === "string" && !d.method.startsWith("VOTING_METHOD_")) d.method = `VOTING_METHOD_${VotingMethod[parseName(METHODS, "method", d.method)]}`;
  const rv = pick("resultVisibility", "result_visibility");
  if (rv && typeof d[rv] === "string" && !(d[rv] as string).startsWith("RESULT_")) d[rv] = `RESULT_VISIBILITY_${(d[rv] as string).toUpperCase().replace(/-/g, "_")}`;
  const sec = pick("secrecy");
  if (sec && typeof d[sec] === "string" && !(d[sec] as string).startsWith("BALLOT_")) d[sec] = `BALLOT_SECRECY_${(d[sec] as string).toUpperCase()}`;
  const el = pick("eligibilitySnapshot", "eligibility_snapshot", "electorate");
  if (el) {
    const v = d[el];
    delete d[el];
    d.eligibilitySnapshot = typeof v === "string" && !v.startsWith("ELIGIBILITY_") ? `ELIGIBILITY_SNAPSHOT_${EligibilitySnapshot[parseName(ELECTORATES, "electorate", v)]}` : v;
  }
  const sh = pick("shuffle");
  if (sh) {
    d.shuffleOptions = d[sh];
    delete d[sh];
  }
  if (Array.isArray(d.options)) d.options = d.options.map((o) => (typeof o === "string" ? parseOption(o) : o));
  const q = pick("quorum");
  if (q && (typeof d[q] === "string" || typeof d[q] === "number")) {
    const k = parseQuorum(String(d[q]))!.kind!;
    d[q] = (k.case === "percentOfEligible" ? { percentOfEligible: k.value } : { absolute: k.value ?? 0 }) as JsonValue;
  }
  for (const key of ["opensAt", "opens_at", "closesAt", "closes_at"]) {
    if (d[key] instanceof Date) d[key] = (d[key] as unknown as Date).toISOString(); // YAML timestamps
  }
  try {
    return fromJson(PollSchema, d);
  } catch (err) {
    throw new UsageError(`bad poll document: ${(err as Error).message}`);
  }
}

/** The poll to create: the document (if any) with every given flag on top. */
export async function pollFromFlags(f: PollFlags, communityId: string): Promise<PollInit> {
  const poll: PollInit = f.fromFile ? documentToPoll(await readDocument(f.fromFile)) : {};
  poll.communityId = communityId;
  if (f.title !== undefined) poll.title = f.title;
  if (f.body !== undefined) poll.body = f.body;
  if (f.method !== undefined) poll.method = parseName(METHODS, "method", f.method);
  if (f.option?.length) poll.options = f.option.map(parseOption);
  if (f.topic?.length) poll.topics = f.topic;
  if (f.opensAt !== undefined) poll.opensAt = parseTime(f.opensAt, "--opens-at");
  if (f.closesAt !== undefined) poll.closesAt = parseTime(f.closesAt, "--closes-at");
  if (f.tz !== undefined) poll.timeZone = f.tz;
  if (f.eligible !== undefined) poll.eligibleRoles = f.eligible.split(",").map((r) => r.trim()).filter(Boolean);
  if (f.quorum !== undefined) poll.quorum = parseQuorum(f.quorum);
  if (f.threshold !== undefined) poll.passThresholdPercent = parsePercent(f.threshold);
  if (f.seats !== undefined) poll.seats = f.seats;
  if (f.min !== undefined) poll.minSelections = f.min;
  if (f.max !== undefined) poll.maxSelections = f.max;
  if (f.maxScore !== undefined) poll.maxScore = f.maxScore;
  if (f.results !== undefined) poll.resultVisibility = parseName(RESULT_VISIBILITIES, "--results", f.results);
  if (f.secret) poll.secrecy = parseName(SECRECIES, "secrecy", "secret");
  if (f.seed !== undefined) poll.tieBreakSeed = f.seed;
  if (f.delegation === false) poll.allowDelegation = false;
  if (f.shuffle) poll.shuffleOptions = true;
  if (f.electorate !== undefined) poll.eligibilitySnapshot = parseName(ELECTORATES, "--electorate", f.electorate);
  // The web form's defaults, so a poll made from either reads the same: live results, public ballots.
  poll.resultVisibility ||= RESULT_VISIBILITIES.live;
  poll.secrecy ||= SECRECIES.public;
  if (!poll.title) throw new UsageError("a poll needs a title: pass --title or set title in --from-file");
  if (!poll.method) throw new UsageError(`a poll needs a method: --method ${Object.keys(METHODS).join("|")}`);
  if (poll.method !== VotingMethod.PROPOSAL && (poll.options?.length ?? 0) < 2) {
    throw new UsageError("this method needs at least two options: --option id:Label (repeat the flag)");
  }
  if (poll.opensAt && poll.closesAt && Number(poll.closesAt.seconds) <= Number(poll.opensAt.seconds)) {
    throw new UsageError("--closes-at must be after --opens-at");
  }
  return poll;
}
