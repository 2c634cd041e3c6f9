import { describe, expect, it } from "vitest";
import { canonicalJson, entryHash, sha256Hex, type ChainEntry } from "./chain.js";
import { chainedLog, type LogItem } from "./test-support.js";
import { verifyActivityLog } from "./verify.js";

type Item = LogItem;
const log = chainedLog;

async function* paged(entries: ChainEntry[], pulled: ChainEntry[]): AsyncGenerator<ChainEntry> {
  for (const e of entries) {
    pulled.push(e);
    yield e;
  }
}

const poll = { id: "p", method: "VOTING_METHOD_SINGLE_CHOICE", options: [{ id: "x" }, { id: "y" }], secrecy: "BALLOT_SECRECY_PUBLIC" };
const result = { pollId: "p", winners: ["y"] };

async function election(): Promise<ChainEntry[]> {
  const resultHash = await sha256Hex(canonicalJson(result));
  return log([
    ["poll_opened", "admin", "p", { poll, eligible_ids: ["a", "b", "c"] }],
    ["ballot_cast", "a", "p", { voter_id: "a", choice: { optionId: "y" } }],
    ["ballot_cast", "b", "p", { voter_id: "b", choice: { optionId: "y" } }],
    ["ballot_cast", "c", "p", { voter_id: "c", choice: { optionId: "x" } }],
    ["poll_closed", "admin", "p", {}],
    ["result_published", "admin", "p", { result_hash: resultHash, winners: ["y"], result: { ...result, resultHash } }],
  ]);
}

describe("verifyActivityLog", () => {
  it("verifies the chain up to the head and recounts the closed public poll", async () => {
    const report = await verifyActivityLog(await election(), 6);
    expect(report).toMatchObject({ headSequence: 6, verifiedEntries: 6, chainOk: true, ok: true });
    expect(report.broken).toBeUndefined();
    expect(report.polls).toMatchObject([{ pollId: "p", status: "verified", winners: ["y"] }]);
  });

  it("stops reading at the first altered entry and recounts nothing past it", async () => {
    const entries = await election();
    entries[2] = { ...entries[2], payload: canonicalJson({ voter_id: "b", choice: { optionId: "x" } }) };
    const pulled: ChainEntry[] = [];
    const report = await verifyActivityLog(paged(entries, pulled), () => 6);
    expect(report).toMatchObject({ chainOk: false, ok: false, verifiedEntries: 2, broken: { sequence: 3 } });
    expect(report.broken!.problem).toMatch(/does not match the content/);
    expect(pulled.map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(report.polls).toEqual([]);
  });

  it("names a deleted tail: the log ends before the server's head", async () => {
    const report = await verifyActivityLog((await election()).slice(0, 5), 6);
    expect(report).toMatchObject({ chainOk: false, ok: false, verifiedEntries: 5, broken: { sequence: 6, problem: "log ends at 5 but the head is 6" } });
  });

  it("is not ok when a public poll's recount differs from what was published", async () => {
    const entries = await election();
    const items = entries.slice(0, 5).map((e): Item => [e.kind, e.actorId, e.pollId, JSON.parse(e.payload)]);
    const forged = await log([...items, ["result_published", "admin", "p", { winners: ["x"] }]]);
    const report = await verifyActivityLog(forged, 6);
    expect(report).toMatchObject({ chainOk: true, ok: false, polls: [{ status: "mismatch", sequence: 6 }] });
  });
});
