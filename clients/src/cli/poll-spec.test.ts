// `polity polls create` without --results or --secret makes the poll the web's form makes: live results,
// public ballots; a flag or the document still decides when given.
import { describe, expect, it } from "vitest";
import { BallotSecrecy, ResultVisibility } from "../gen/polity/mod/voting/v1/voting_pb.js";
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
