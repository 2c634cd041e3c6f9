import { describe, expect, it } from "vitest";
import { auditPolls } from "./audit.js";
import { canonicalJson, entryHash, sha256Hex, type ChainEntry } from "./chain.js";
import { chainedLog } from "./test-support.js";

const log = chainedLog;

const poll = { id: "p", allowDelegation: true, method: "VOTING_METHOD_SINGLE_CHOICE", options: [{ id: "x" }, { id: "y" }], secrecy: "BALLOT_SECRECY_PUBLIC", topics: ["parks"] };
const result = { pollId: "p", winners: ["y"], delegatedWeight: 2, lostWeight: 0 };

describe("auditPolls", () => {
  it("recounts a public poll with delegations in force at close, and checks the published hash", async () => {
    const resultHash = await sha256Hex(canonicalJson(result));
    const entries = await log([
      ["delegation_created", "a", "", { delegator_id: "a", delegate_id: "c", topic: "" }],
      ["delegation_created", "b", "", { delegator_id: "b", delegate_id: "c", topic: "parks" }],
      ["poll_opened", "admin", "p", { poll, eligible_ids: ["a", "b", "c", "d"] }],
      ["ballot_cast", "c", "p", { choice: { optionId: "y" } }],
      ["ballot_cast", "d", "p", { choice: { optionId: "x" } }],
      ["poll_closed", "admin", "p", {}],
      ["delegation_revoked", "a", "", { delegator_id: "a", topic: "" }],
      ["result_published", "admin", "p", { result_hash: resultHash, winners: ["y"], result: { ...result, resultHash } }],
    ]);
    expect(await auditPolls(entries)).toMatchObject([{ pollId: "p", status: "verified", winners: ["y"] }]);
    // Had the server published x, the recount says so.
    const forged = await log([
      ...entries.slice(0, 7).map((e) => [e.kind, e.actorId, e.pollId, JSON.parse(e.payload)] as [string, string, string, Record<string, unknown>]),
      ["result_published", "admin", "p", { result_hash: resultHash, winners: ["x"] }],
    ]);
    expect((await auditPolls(forged))[0]).toMatchObject({ status: "mismatch", sequence: 8 });
  });

  it("recounts a poll whose choices the log hid while open from its ballots_revealed entries, and catches a bad reveal", async () => {
    const resultHash = await sha256Hex(canonicalJson(result));
    const head: Array<[string, string, string, Record<string, unknown>]> = [
      ["delegation_created", "a", "", { delegator_id: "a", delegate_id: "c", topic: "" }],
      ["delegation_created", "b", "", { delegator_id: "b", delegate_id: "c", topic: "parks" }],
      ["poll_opened", "admin", "p", { poll: { ...poll, resultVisibility: "RESULT_VISIBILITY_AFTER_CLOSE" }, eligible_ids: ["a", "b", "c", "d"] }],
      ["ballot_cast", "c", "p", { voter_id: "c" }],
      ["ballot_cast", "d", "p", { voter_id: "d" }],
      ["poll_closed", "admin", "p", {}],
    ];
    const published: [string, string, string, Record<string, unknown>] = ["result_published", "admin", "p", { result_hash: resultHash, winners: ["y"], result: { ...result, resultHash } }];
    const reveal = (...ballots: Array<[string, string]>): [string, string, string, Record<string, unknown>] =>
      ["ballots_revealed", "admin", "p", { ballots: ballots.map(([voter_id, optionId]) => ({ voter_id, choice: { optionId } })) }];
    // Revealed over two entries, as a large poll is.
    expect(await auditPolls(await log([...head, reveal(["c", "y"]), reveal(["d", "x"]), published])))
      .toMatchObject([{ pollId: "p", status: "verified", winners: ["y"] }]);
    // A choice never revealed cannot be recounted: a mismatch, not a silent skip.
    expect((await auditPolls(await log([...head, reveal(["c", "y"]), published])))[0]).toMatchObject({ status: "mismatch", detail: expect.stringContaining("d") });
    // A revealed ballot the log never saw cast, or a reveal before close.
    expect((await auditPolls(await log([...head, reveal(["c", "y"], ["d", "x"], ["e", "x"]), published])))[0]).toMatchObject({ status: "mismatch", detail: expect.stringContaining("e has no ballot") });
    expect((await auditPolls(await log([...head.slice(0, 5), reveal(["c", "y"], ["d", "x"]), head[5], published])))[0]).toMatchObject({ status: "mismatch", detail: expect.stringContaining("not closed") });
  });
});
