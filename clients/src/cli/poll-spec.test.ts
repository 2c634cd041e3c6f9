// `polity polls create` without --results or --secret makes the poll the web's form makes: live results,
// public ballots; a flag or the document still decides when given. --shuffle and --electorate (and their
// document forms) set the option order and when the electorate is fixed.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BallotSecrecy, EligibilitySnapshot, ResultVisibility } from "../gen/polity/mod/voting/v1/voting_pb.js";
import { pollFromFlags } from "./poll-spec.js";

const COMMUNITY = "7b0c6a52-8d5e-4f59-9a43-0f3f5a1b2c3d";
const base = { title: "Next meetup", method: "schulze", option: ["a:Lisbon", "b:Porto", "c:Faro"] };

describe("poll defaults", () => {
  it("are the web's: live results and public ballots", async () => {
    const poll = await pollFromFlags(base, COMMUNITY);
    expect(poll.resultVisibility).toBe(ResultVisibility.LIVE);
    expect(poll.secrecy).toBe(BallotSecrecy.PUBLIC);
  });

  it("give way to flags", async () => {
    const poll = await pollFromFlags({ ...base, results: "after-close", secret: true }, COMMUNITY);
    expect(poll.resultVisibility).toBe(ResultVisibility.AFTER_CLOSE);
    expect(poll.secrecy).toBe(BallotSecrecy.SECRET);
  });
});

describe("option order and electorate", () => {
  it("default to listed order and the electorate at open", async () => {
    const poll = await pollFromFlags(base, COMMUNITY);
    expect(poll.shuffleOptions).toBeUndefined();
    expect(poll.eligibilitySnapshot).toBeUndefined();
  });

  it("are set by --shuffle and --electorate", async () => {
    const poll = await pollFromFlags({ ...base, shuffle: true, electorate: "at-close" }, COMMUNITY);
    expect(poll.shuffleOptions).toBe(true);
    expect(poll.eligibilitySnapshot).toBe(EligibilitySnapshot.AT_CLOSE);
    expect((await pollFromFlags({ ...base, electorate: "at-open" }, COMMUNITY)).eligibilitySnapshot).toBe(EligibilitySnapshot.AT_OPEN);
    await expect(pollFromFlags({ ...base, electorate: "whenever" }, COMMUNITY)).rejects.toThrow(/unknown --electorate "whenever": use one of at-open, at-close/);
  });

  it("are read from a document in the CLI's words or the proto's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "polity-spec-"));
    const short = join(dir, "short.yaml");
    writeFileSync(short, "title: Meetup\nmethod: irv\noptions: [a:Lisbon, b:Porto]\nshuffle: true\nelectorate: at-close\n");
    const fromShort = await pollFromFlags({ fromFile: short }, COMMUNITY);
    expect([fromShort.shuffleOptions, fromShort.eligibilitySnapshot]).toEqual([true, EligibilitySnapshot.AT_CLOSE]);
    const proto = join(dir, "proto.json");
    writeFileSync(proto, JSON.stringify({ title: "Meetup", method: "irv", options: ["a:Lisbon", "b:Porto"], shuffleOptions: true, eligibility_snapshot: "ELIGIBILITY_SNAPSHOT_AT_CLOSE" }));
    const fromProto = await pollFromFlags({ fromFile: proto }, COMMUNITY);
    expect([fromProto.shuffleOptions, fromProto.eligibilitySnapshot]).toEqual([true, EligibilitySnapshot.AT_CLOSE]);
    rmSync(dir, { recursive: true, force: true });
  });
});
