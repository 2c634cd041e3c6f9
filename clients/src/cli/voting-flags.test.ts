// The pure parts of the voting commands: ballot flags per method, poll documents and flags, the results text.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { PollResultsSchema, PollSchema, PollState, ProposalChoice, ResultVisibility, BallotSecrecy, VotingMethod } from "../gen/polity/mod/voting/v1/voting_pb.js";
import { ballotFromFlags, describeBallot, parseRanking } from "./ballot-flags.js";
import { pollFromFlags } from "./poll-spec.js";
import { bar, renderResults } from "./results-render.js";
import { UsageError } from "./exit.js";

const COMMUNITY = "7b0c6a52-8d5e-4f59-9a43-0f3f5a1b2c3d";
const options = ["a", "b", "c", "d"].map((id) => ({ id, label: id.toUpperCase() }));
const poll = (method: VotingMethod, maxScore = 0) => create(PollSchema, { method, options, maxScore });

describe("ballotFromFlags", () => {
  it("builds the ballot each method takes", () => {
    expect(ballotFromFlags(poll(VotingMethod.PROPOSAL), { choice: "Block" }).choice).toEqual({ case: "proposal", value: ProposalChoice.BLOCK });
    expect(ballotFromFlags(poll(VotingMethod.SINGLE_CHOICE), { option: "b" }).choice).toEqual({ case: "optionId", value: "b" });
    expect(ballotFromFlags(poll(VotingMethod.APPROVAL), { approve: "a, c,a" }).choice).toEqual({ case: "approval", value: { optionIds: ["a", "c"] } });
    expect(ballotFromFlags(poll(VotingMethod.STAR), { score: "a=5,b=3" }).choice).toEqual({ case: "scores", value: { scores: { a: 5, b: 3 } } });
    expect(ballotFromFlags(poll(VotingMethod.SCHULZE), { rank: "a>b=c>d" }).choice).toEqual({
      case: "ranking", value: { ranks: [{ optionIds: ["a"] }, { optionIds: ["b", "c"] }, { optionIds: ["d"] }] },
    });
  });

  it("refuses the wrong flag, unknown options, duplicate ranks and out-of-range scores with usage errors", () => {
    expect(() => ballotFromFlags(poll(VotingMethod.RANKED_IRV), { option: "a" })).toThrow(/takes --rank/);
    expect(() => ballotFromFlags(poll(VotingMethod.RANKED_IRV), {})).toThrow(UsageError);
    expect(() => ballotFromFlags(poll(VotingMethod.RANKED_IRV), { rank: "a>z" })).toThrow(/unknown option "z": the options are a, b, c, d/);
    expect(() => parseRanking("a>b>a")).toThrow(/ranked twice/);
    expect(() => parseRanking("a>>b")).toThrow(/bad ranking/);
    expect(() => ballotFromFlags(poll(VotingMethod.SCORE, 3), { score: "a=4" })).toThrow(/0 to 3/);
    expect(() => ballotFromFlags(poll(VotingMethod.PROPOSAL), { choice: "maybe" })).toThrow(/agree, disagree, abstain, block/);
  });

  it("describes a ballot on one line", () => {
    expect(describeBallot(ballotFromFlags(poll(VotingMethod.STV), { rank: "b>a=c" }))).toBe("b > a = c");
  });
});

describe("pollFromFlags", () => {
  it("maps every flag onto the poll", async () => {
    const p = await pollFromFlags({
      title: "Lunch", method: "irv", option: ["a:Apples", "Blue Cheese"], topic: ["food"], opensAt: "2026-12-01T09:00:00Z", closesAt: "2026-12-02T09:00:00Z",
      tz: "Europe/Lisbon", quorum: "50%", threshold: "60", seats: 2, min: 1, max: 2, maxScore: 9, results: "after-close", secret: true, seed: "s", delegation: false,
    }, COMMUNITY);
    expect(p).toMatchObject({
      communityId: COMMUNITY, title: "Lunch", method: VotingMethod.RANKED_IRV, topics: ["food"], timeZone: "Europe/Lisbon",
      options: [{ id: "a", label: "Apples" }, { id: "blue-cheese", label: "Blue Cheese" }],
      quorum: { kind: { case: "percentOfEligible", value: 50 } }, passThresholdPercent: 60, seats: 2, minSelections: 1, maxSelections: 2, maxScore: 9,
      resultVisibility: ResultVisibility.AFTER_CLOSE, secrecy: BallotSecrecy.SECRET, tieBreakSeed: "s", allowDelegation: false,
    });
    expect(Number(p.opensAt!.seconds)).toBe(Date.parse("2026-12-01T09:00:00Z") / 1000);
  });

  it("reads JSON and YAML documents with short words, flags on top", async () => {
    const dir = mkdtempSync(join(tmpdir(), "poll-doc-"));
    const yaml = join(dir, "poll.yaml");
    writeFileSync(yaml, "title: Budget\nmethod: schulze\noptions: ['x:X', 'y:Y']\nquorum: 3\nresultVisibility: after-vote\nsecrecy: secret\n");
    expect(await pollFromFlags({ fromFile: yaml, title: "Budget 2027" }, COMMUNITY)).toMatchObject({
      title: "Budget 2027", method: VotingMethod.SCHULZE, quorum: { kind: { case: "absolute", value: 3 } },
      resultVisibility: ResultVisibility.AFTER_VOTE, secrecy: BallotSecrecy.SECRET, options: [{ id: "x" }, { id: "y" }],
    });
    const json = join(dir, "poll.json");
    writeFileSync(json, JSON.stringify({ title: "Proposal", method: "VOTING_METHOD_PROPOSAL", pass_threshold_percent: 66 }));
    expect(await pollFromFlags({ fromFile: json }, COMMUNITY)).toMatchObject({ method: VotingMethod.PROPOSAL, passThresholdPercent: 66 });
    writeFileSync(json, JSON.stringify({ title: "x", method: "irv", colour: "red" }));
    await expect(pollFromFlags({ fromFile: json }, COMMUNITY)).rejects.toThrow(/bad poll document/);
  });

  it("refuses incomplete or inconsistent polls before sending", async () => {
    await expect(pollFromFlags({ method: "irv", option: ["a:A", "b:B"] }, COMMUNITY)).rejects.toThrow(/title/);
    await expect(pollFromFlags({ title: "T", method: "irv", option: ["a:A"] }, COMMUNITY)).rejects.toThrow(/two options/);
    await expect(pollFromFlags({ title: "T", method: "borda" }, COMMUNITY)).rejects.toThrow(/unknown method "borda"/);
    await expect(pollFromFlags({ title: "T", method: "proposal", quorum: "half" }, COMMUNITY)).rejects.toThrow(/bad quorum/);
    await expect(pollFromFlags({ title: "T", method: "proposal", opensAt: "tomorrow" }, COMMUNITY)).rejects.toThrow(/ISO 8601/);
  });
});

describe("renderResults", () => {
  it("draws proportional bars, winners and rounds", () => {
    expect(bar(10, 10, 10)).toBe("█".repeat(10));
    expect(bar(5, 10, 10)).toBe("█".repeat(5));
    expect(bar(0, 10)).toBe("");
    const p = create(PollSchema, { title: "Fruit", method: VotingMethod.RANKED_IRV, options });
    const r = create(PollResultsSchema, {
      final: true, eligible: 5, ballots: 4, countedWeight: 4, quorumMet: true, winners: ["a"],
      tallies: [{ optionId: "a", votes: 3 }, { optionId: "b", votes: 1 }],
      rounds: [{ number: 1, tallies: [{ optionId: "a", votes: 2 }, { optionId: "b", votes: 1 }, { optionId: "c", votes: 1 }], eliminated: ["c"] },
        { number: 2, tallies: [{ optionId: "a", votes: 3 }, { optionId: "b", votes: 1 }], elected: ["a"] }],
    });
    const text = renderResults(p, { state: PollState.CLOSED, eligible: 5, ballots: 4 }, r);
    expect(text).toContain("Fruit  (irv)");
    expect(text).toContain("ballots: 4/5 (80%)");
    expect(text).toMatch(/winner: A/i);
    expect(text).toMatch(/A ★\s*│\s*3\s*│\s*75\.0\s*│\s*█{30}/);
    expect(text).toMatch(/ROUND/);
    expect(renderResults(p, { state: PollState.OPEN, eligible: 5, ballots: 1 }, undefined)).toMatch(/not visible yet/);
  });
});
