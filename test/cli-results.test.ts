// `polity results` (the real binary) says what the API says: the same verdict for a poll with no votes, a 1–1
// tie decided by the seed, a pass and a rejection under a threshold, and a quorum not reached.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolityClient } from "../clients/src/core.js";
import { type BallotSchema, type Poll, type PollSchema, ProposalChoice, ResultVisibility, Verdict, VotingMethod } from "../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { runPolity } from "./support/cli.js";
import { type TestServer } from "./support/server.js";
import { startCommunityStage } from "./support/communities.js";

const ADMIN = { email: "admin@example.org", password: "correct horse battery" };
const MEMBER = { email: "mia@example.org", password: "mia's long password" };
const cities = [{ id: "lisbon", label: "Lisbon" }, { id: "faro", label: "Faro" }, { id: "porto", label: "Porto" }];
const single = (optionId: string): MessageInitShape<typeof BallotSchema> => ({ choice: { case: "optionId", value: optionId } });

describe("polity results states the API's verdict", () => {
  let server: TestServer;
  let home: string;
  let admin: PolityClient;
  let member: PolityClient;
  let communityId = "";

  async function closedPoll(poll: Omit<Exclude<MessageInitShape<typeof PollSchema>, Poll>, "communityId">, ballots: { admin?: MessageInitShape<typeof BallotSchema>; member?: MessageInitShape<typeof BallotSchema> } = {}) {
    const { poll: created } = await admin.voting.createPoll({ poll: { communityId, resultVisibility: ResultVisibility.LIVE, tieBreakSeed: "seed", ...poll } });
    const ids = { communityId, pollId: created!.id };
    await admin.voting.openPoll(ids);
    if (ballots.admin) await admin.voting.castBallot({ ...ids, ballot: ballots.admin });
    if (ballots.member) await member.voting.castBallot({ ...ids, ballot: ballots.member });
    await admin.voting.closePoll(ids);
    const { results } = await admin.voting.getResults(ids);
    // A public community's results are readable without signing in, so the CLI runs with no credentials.
    const run = await runPolity(["results", ids.pollId, "--community", communityId],
      { XDG_CONFIG_HOME: join(home, "config"), HOME: home, POLITY_SERVER: server.url, POLITY_API_KEY: "", POLITY_TOKEN: "" });
    expect(run.code, run.stderr).toBe(0);
    return { verdict: Verdict[results!.verdict], winners: results!.winners, out: run.stdout };
  }

  beforeAll(async () => {
    ({ server, admin, member, communityId } = await startCommunityStage(ADMIN, MEMBER));
    home = mkdtempSync(join(tmpdir(), "polity-cli-results-"));
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("no votes: no winner, no rounds, no quorum", async () => {
    const r = await closedPoll({ title: "Where do we meet?", method: VotingMethod.STAR, options: cities });
    expect(r.verdict).toBe("NO_VOTES");
    expect(r.out).toContain("No votes: nothing was decided");
    expect(r.out).not.toMatch(/winner|★|ROUND|quorum|tie-break/i);
  });

  it("a 1–1 tie: elected by tie-break, the tie-break as the reason, no pass/fail", async () => {
    const r = await closedPoll({ title: "Which town hosts?", method: VotingMethod.SINGLE_CHOICE, options: cities }, { admin: single("lisbon"), member: single("faro") });
    expect(r.verdict).toBe("TIED_BROKEN_BY_SEED");
    const winner = cities.find((c) => c.id === r.winners[0])!.label;
    expect(r.out).toContain(`Elected by tie-break: ${winner}`);
    expect(r.out).toMatch(/because (Lisbon and Faro|Faro and Lisbon) were tied/);
    expect(r.out).not.toMatch(/pass/i);
  });

  it("a threshold passes or rejects; a quorum not reached decides nothing", async () => {
    const passed = await closedPoll({ title: "Lisbon?", method: VotingMethod.SINGLE_CHOICE, options: cities, passThresholdPercent: 50 }, { admin: single("lisbon"), member: single("lisbon") });
    expect([passed.verdict, passed.out.includes("Passed: Lisbon")]).toEqual(["PASSED", true]);
    const rejected = await closedPoll({ title: "Lisbon, really?", method: VotingMethod.SINGLE_CHOICE, options: cities, passThresholdPercent: 60 }, { admin: single("lisbon"), member: single("faro") });
    expect(rejected.verdict).toBe("REJECTED");
    expect(rejected.out).toContain("Rejected");
    expect(rejected.out).not.toContain("★");
    const short = await closedPoll({ title: "Adopt the charter", method: VotingMethod.PROPOSAL, quorum: { kind: { case: "absolute", value: 2 } } },
      { admin: { choice: { case: "proposal", value: ProposalChoice.AGREE } } });
    expect(short.verdict).toBe("NO_QUORUM");
    expect(short.out).toContain("No quorum: nothing was decided (1 counted of 2 needed)");
    expect(short.out).toContain("quorum not met (1 counted of 2 needed)");
  });
});
