// Results that never mislead, in Chromium against a real polityd: a poll nobody voted in says "no votes" (no
// winner, no rounds), a 1–1 single choice states one verdict with the tie-break as its reason, a quorum badge
// appears only when the poll has a quorum, approval shares are of voters, and round tables scroll on a phone.
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type Page } from "playwright-core";
import type { PolityClient } from "../../clients/src/core.js";
import { type Poll, ProposalChoice, ResultVisibility, Verdict, VotingMethod } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { BallotSchema, PollSchema } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { haveChromium, launchChromium, signInPage } from "../support/browser.js";
import { startCommunityStage } from "../support/communities.js";

const ADMIN = { email: "admin@example.org", password: "correct horse battery" };
const MEMBER = { email: "mia@example.org", password: "mia's long password" };
// Screenshots of each result, for people reviewing the UI.
const shots = process.env.POLITY_SCREENSHOTS ?? join(tmpdir(), "polity-screenshots");
const shoot = (p: Page, name: string) => p.screenshot({ path: join(shots, `results-${name}.png`), fullPage: true });

describe.skipIf(!haveChromium && !process.env.CI)("results in the web app, in Chromium", () => {
  let server: { url: string; logs: string[]; stop(): Promise<void> } | undefined;
  let browser: Browser | undefined;
  let admin: PolityClient;
  let member: PolityClient;
  let communityId = "";
  const trail: string[] = [];

  /** Creates, opens, casts (admin's ballot, then the member's) and closes a poll; returns its id. */
  async function closedPoll(poll: Omit<Exclude<MessageInitShape<typeof PollSchema>, Poll>, "communityId">, ballots: { admin?: MessageInitShape<typeof BallotSchema>; member?: MessageInitShape<typeof BallotSchema> } = {}): Promise<string> {
    const created = (await admin.voting.createPoll({ poll: { communityId, resultVisibility: ResultVisibility.LIVE, tieBreakSeed: "seed", ...poll } })).poll as Poll;
    const ids = { communityId, pollId: created.id };
    await admin.voting.openPoll(ids);
    if (ballots.admin) await admin.voting.castBallot({ ...ids, ballot: ballots.admin });
    if (ballots.member) await member.voting.castBallot({ ...ids, ballot: ballots.member });
    await admin.voting.closePoll(ids);
    return created.id;
  }

  async function pollPage(pollId: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
    const context = await browser!.newContext({ viewport });
    const p = await context.newPage();
    p.setDefaultTimeout(15_000);
    p.on("pageerror", (e) => trail.push(`[pageerror] ${e.message}`));
    await signInPage(p, server!.url, ADMIN);
    await p.goto(`${server!.url}/#/communities/${communityId}/polls/${pollId}`);
    await p.waitForSelector("[data-testid=verdict]");
    return p;
  }

  const single = (optionId: string): MessageInitShape<typeof BallotSchema> => ({ choice: { case: "optionId", value: optionId } });
  const cities = [{ id: "lisbon", label: "Lisbon" }, { id: "faro", label: "Faro" }, { id: "porto", label: "Porto" }];

  beforeAll(async () => {
    ({ server, admin, member, communityId } = await startCommunityStage(ADMIN, MEMBER));
    mkdirSync(shots, { recursive: true });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    if (trail.length) console.error(trail.join("\n"));
    await browser?.close();
    await server?.stop();
  });

  it("a STAR poll nobody voted in says no votes: no winner, no chart, no rounds, no quorum badge", async () => {
    const pollId = await closedPoll({ title: "Where do we meet?", method: VotingMethod.STAR, options: cities });
    const p = await pollPage(pollId);
    expect(await p.getAttribute("[data-testid=verdict]", "data-verdict")).toBe("NO_VOTES");
    expect(await p.textContent("[data-testid=verdict]")).toContain("No votes");
    for (const gone of ["winners", "rounds-table", "results-chart", "ranking", "quorum", "tie-breaks"]) expect(await p.locator(`[data-testid=${gone}]`).count(), gone).toBe(0);
    expect(await p.textContent("[data-testid=results]")).not.toMatch(/winner|tie was broken|quorum/i);
    await shoot(p, "no-votes");
    await p.context().close();
  });

  it("a 1–1 single choice states one verdict, the tie-break as its reason, and the same as the API", async () => {
    const pollId = await closedPoll({ title: "Which town hosts?", method: VotingMethod.SINGLE_CHOICE, options: cities },
      { admin: single("lisbon"), member: single("faro") });
    const { results } = await admin.voting.getResults({ communityId, pollId });
    expect(results!.verdict).toBe(Verdict.TIED_BROKEN_BY_SEED);
    const winner = cities.find((c) => c.id === results!.winners[0])!.label;
    const p = await pollPage(pollId);
    expect(await p.getAttribute("[data-testid=verdict]", "data-verdict")).toBe("TIED_BROKEN_BY_SEED");
    expect(await p.textContent("[data-testid=verdict]")).toContain(`Elected by tie-break: ${winner}`);
    expect(await p.textContent("[data-testid=verdict-reason]")).toMatch(/Faro and Lisbon were tied|Lisbon and Faro were tied/);
    expect(await p.textContent("[data-testid=results]")).not.toMatch(/did not pass|passed/i);
    // "final result" is a fact, not styled as an error.
    const colors = await p.$eval("[data-testid=results-final]", (el) => {
      const probe = document.createElement("span");
      probe.className = "badge danger";
      el.parentElement!.append(probe);
      const both = [getComputedStyle(el).color, getComputedStyle(probe).color];
      probe.remove();
      return both;
    });
    expect(colors[0]).not.toBe(colors[1]);
    // Neither is the closed poll's state badge.
    expect(await p.getAttribute("[data-testid=poll-state]", "class")).not.toContain("danger");
    await shoot(p, "tie");
    await p.context().close();
  });

  it("a proposal short of its quorum says no quorum, with what it needed; approval shows shares of voters", async () => {
    const proposalId = await closedPoll({ title: "Adopt the charter", method: VotingMethod.PROPOSAL, quorum: { kind: { case: "percentOfEligible", value: 100 } } },
      { admin: { choice: { case: "proposal", value: ProposalChoice.AGREE } } });
    let p = await pollPage(proposalId);
    expect(await p.getAttribute("[data-testid=verdict]", "data-verdict")).toBe("NO_QUORUM");
    expect(await p.textContent("[data-testid=quorum]")).toBe("quorum not met · 1 counted of 2 needed");
    await p.context().close();

    const approvalId = await closedPoll({ title: "Which forge?", method: VotingMethod.APPROVAL, options: [{ id: "codeberg", label: "Codeberg" }, { id: "gitlab", label: "GitLab" }] },
      { admin: { choice: { case: "approval", value: { optionIds: ["codeberg", "gitlab"] } } }, member: { choice: { case: "approval", value: { optionIds: ["codeberg"] } } } });
    p = await pollPage(approvalId);
    expect(await p.textContent("[data-option=codeberg] .bar-value")).toBe("2 approvals · 100% of voters");
    expect(await p.textContent("[data-option=gitlab] .bar-value")).toBe("1 approval · 50% of voters");
    await shoot(p, "approval");
    await p.context().close();
  });

  it("round tables scroll on a phone, and say so", async () => {
    const options = ["a", "b", "c", "d", "e", "f"].map((id) => ({ id, label: `The option called ${id.toUpperCase()}` }));
    const rank = (...ids: string[]): MessageInitShape<typeof BallotSchema> => ({ choice: { case: "ranking", value: { ranks: ids.map((id) => ({ optionIds: [id] })) } } });
    const pollId = await closedPoll({ title: "Long names", method: VotingMethod.RANKED_IRV, options }, { admin: rank("b", "a"), member: rank("c", "a") });
    const p = await pollPage(pollId, { width: 375, height: 800 });
    const frame = p.locator("[data-testid=rounds-table-scroll]");
    const box = await frame.evaluate((el) => ({ overflow: getComputedStyle(el).overflowX, scroll: el.scrollWidth, client: el.clientWidth }));
    expect(box.overflow).toBe("auto");
    expect(box.scroll).toBeGreaterThan(box.client);
    expect(await p.locator("[data-testid=rounds-table-hint]").isVisible()).toBe(true);
    expect(await p.textContent("#rounds-table-caption")).toContain("Votes in each round");
    expect(await p.textContent("[data-testid=rounds-table] tbody tr:first-child th")).toBe("1 (first preferences)");
    // The page itself does not scroll sideways.
    expect(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await shoot(p, "phone-rounds");
    await p.context().close();
  });
});
