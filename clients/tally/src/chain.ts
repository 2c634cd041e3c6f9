// The activity log's hash chain: canonical encoding, entry hashing and verification. Pure and
// platform-neutral (Web Crypto only), so the server, `polity audit` and the web GUI verify the same way.
//
// Canonical JSON (the `payload` text the hash covers):
//   - objects: keys sorted by UTF-16 code unit order (Array.prototype.sort), `{"k":v,...}`, no whitespace;
//     properties whose value is undefined are left out (as JSON.stringify does);
//   - arrays: `[v,...]`, an undefined item is an error;
//   - strings: exactly as JSON.stringify writes them; numbers: as JavaScript prints them (JSON.stringify),
//     NaN and ±Infinity are errors; true, false, null as themselves; Dates as their ISO string;
//   - anything else (bigint, functions, symbols) is an error.
// Entry hash: hex SHA-256 of the UTF-8 bytes of
//   prev_hash "\n" sequence "\n" kind "\n" time "\n" actor_id "\n" poll_id "\n" payload
// where sequence is decimal, kind the snake_case name ("ballot_cast"), time the ISO-8601 UTC instant with
// milliseconds (Date.prototype.toISOString), poll_id "" when none, and prev_hash "" for sequence 1.
//
// Kinds are ActivityKind's names in snake_case: poll_created, poll_updated, poll_deleted, poll_opened,
// poll_closed, ballot_cast, ballot_changed, ballot_retracted, ballots_revealed, delegation_created,
// delegation_revoked, membership_changed, result_published. The log is as readable as its community, so no
// payload holds what a reader may not see yet: a ballot entry's payload is {"voter_id"} plus "choice" only for a
// public poll with live results; a public poll whose results were hidden while open gets its choices at close,
// in ballots_revealed entries ({"ballots":[{"choice":…,"voter_id":…},…]}, by voter id, at most 1000 each)
// between poll_closed and result_published; a secret poll's choices are never logged. ballots_revealed is newer
// than the rest: logs written before it carry those choices in their ballot entries, and verify unchanged (the
// hash covers the kind's name, whatever the set of kinds). Payload fields per kind: audit.ts.

export interface ChainEntry {
  sequence: number;
  kind: string;
  /** ISO-8601 UTC with milliseconds. */
  time: string;
  actorId: string;
  pollId: string;
  /** Canonical JSON. */
  payload: string;
  prevHash: string;
  hash: string;
}

export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string": return JSON.stringify(value);
    case "boolean": return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${value} is not a finite number`);
      return JSON.stringify(value);
    case "object": {
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => {
          if (item === undefined) throw new TypeError(`canonical JSON: undefined at index ${i}`);
          return canonicalJson(item);
        }).join(",")}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonical JSON: cannot encode a ${typeof value}`);
  }
}

/** True when `text` is valid JSON already in canonical form. */
export function isCanonical(text: string): boolean {
  try {
    return canonicalJson(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

export async function sha256Hex(text: string): Promise<string> {
  return hex(await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

export function hashInput(e: Omit<ChainEntry, "hash">): string {
  return [e.prevHash, String(e.sequence), e.kind, e.time, e.actorId, e.pollId, e.payload].join("\n");
}

export function entryHash(e: Omit<ChainEntry, "hash">): Promise<string> {
  return sha256Hex(hashInput(e));
}

export interface ChainBreak {
  sequence: number;
  problem: string;
}

export interface ChainVerifier {
  /** Checks the next entry in order; returns the first break found (and keeps returning it). */
  push(entry: ChainEntry): Promise<ChainBreak | undefined>;
  /** Checks that the log ends where the server says its head is (catches a deleted tail). */
  finish(headSequence: number): ChainBreak | undefined;
  readonly verified: number;
  readonly lastHash: string;
}

/** Verifies a log entry by entry, page after page, without holding it all. */
export function createChainVerifier(): ChainVerifier {
  let expected = 1;
  let lastHash = "";
  let broken: ChainBreak | undefined;
  return {
    get verified() { return expected - 1; },
    get lastHash() { return lastHash; },
    async push(e) {
      if (broken) return broken;
      const problem = await problemOf(e, expected, lastHash);
      if (problem) return (broken = { sequence: expected, problem });
      expected++;
      lastHash = e.hash;
      return undefined;
    },
    finish(headSequence) {
      if (broken) return broken;
      if (headSequence !== expected - 1)
        return (broken = { sequence: expected, problem: `log ends at ${expected - 1} but the head is ${headSequence}` });
      return undefined;
    },
  };
}

async function problemOf(e: ChainEntry, expected: number, lastHash: string): Promise<string | undefined> {
  if (e.sequence !== expected)
    return e.sequence > expected
      ? `entries ${expected}..${e.sequence - 1} are missing (got ${e.sequence})`
      : `entry ${e.sequence} is out of order (expected ${expected})`;
  if (e.prevHash !== lastHash) return `prev_hash ${e.prevHash || '""'} does not match the previous entry's hash ${lastHash || '""'}`;
  if (!isCanonical(e.payload)) return "payload is not canonical JSON";
  const hash = await entryHash(e);
  if (hash !== e.hash) return `hash ${e.hash} does not match the content (computed ${hash})`;
  return undefined;
}

/** Verifies a whole log held in memory. */
export async function verifyChain(entries: Iterable<ChainEntry>, headSequence?: number): Promise<ChainBreak | undefined> {
  const v = createChainVerifier();
  for (const e of entries) {
    const broken = await v.push(e);
    if (broken) return broken;
  }
  return headSequence === undefined ? undefined : v.finish(headSequence);
}
