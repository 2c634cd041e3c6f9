// The web poll form in Debian's Chromium against a real polityd: polls of several methods created with every
// setting the CLI has, each checked through the API (quorum, threshold, close time typed in a chosen zone →
// the right instant, roles, approvals, score range, seats, seed, visibility, secrecy), options typed one per
// line, a draft edited, refusals shown beside their field, and an opened poll no longer editable.
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type Page } from "playwright-core";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { createPolityClient } from "../../clients/src/node.js";
import type { PolityClient } from "../../clients/src/core.js";
import { JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { BallotSecrecy, EligibilitySnapshot, PollState, ResultVisibility, VotingMethod, type Poll } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { CHROMIUM, closeBrowserAndServer, haveChromium, printTrailOnFailure, signedInChromium } from "../support/browser.js";

const ADMIN = { email: "admin@example.org", password: "correct horse battery" };
// A picture of the filled form, for people reviewing the UI.
const shots = process.env.POLITY_SCREENSHOTS ?? join(tmpdir(), "polity-screenshots");

if (!haveChromium && !process.env.CI) console.warn(`poll-form.test: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.skipIf(!haveChromium && !process.env.CI)("the poll form in the web app, in Chromium", () => {
  let server: { url: string; logs: string[]; stop(): Promise<void> } | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let admin: PolityClient;
  let communityId = "";
  let draftId = "";
  const trail: string[] = [];

  const closes = (p: Poll | undefined) => (p?.closesAt ? timestampDate(p.closesAt).toISOString() : "");
  const getPoll = async (pollId: string) => (await admin.voting.getPoll({ communityId, pollId })).poll!;

  /** Opens the community's "New poll" form with the method chosen. */
  async function newPoll(method: VotingMethod): Promise<void> {
    // Through the list, so the community page is drawn afresh with an empty form.
    await page.goto(`${server!.url}/#/communities`);
    await page.waitForSelector("[data-testid=community-link]");
    await page.goto(`${server!.url}/#/communities/${communityId}`);
    await page.click("details.new-poll summary");
    await page.selectOption("#poll-method", String(method));
  }

  /** Submits the form and returns the id of the poll page it lands on. */
  async function submit(testid = "create-poll-submit"): Promise<string> {
    await page.click(`[data-testid=${testid}]`);
    await page.waitForURL(/#\/communities\/[^/]+\/polls\/[0-9a-f-]{36}$/);
    await page.waitForSelector("[data-testid=poll-title]");
    return /polls\/([0-9a-f-]{36})$/.exec(page.url())![1];
  }

  beforeAll(async () => {
    const { startInProcessServer } = await import("../support/server.js");
    server = await startInProcessServer({ POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    admin = createPolityClient({ baseUrl: server.url });
    await admin.auth.login({ email: ADMIN.email, password: ADMIN.password });
    const { org } = await admin.orgs.createOrg({ slug: "harbour", displayName: "Harbour" });
    const { community } = await admin.communities.createCommunity({
      orgId: org!.id, slug: "harbour-town", name: "Harbour town", description: "We decide together.",
      visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
    });
    communityId = community!.id;
    // The browser lives in New York, so the form's default zone is known.
    ({ browser, page } = await signedInChromium(server.url, ADMIN, trail, { context: { viewport: { width: 1280, height: 1000 }, timezoneId: "America/New_York" } }));
  }, 180_000);

  afterEach(printTrailOnFailure(trail));

  afterAll(() => closeBrowserAndServer(browser, server));

  it("creates an approval draft with every setting, options one per line, the close time read in a chosen zone", async () => {
    await newPoll(VotingMethod.APPROVAL);
    // Defaults as the CLI's: live results, public ballots, every voting role, delegation counted; the browser's zone.
    expect(await page.inputValue("#poll-results")).toBe(String(ResultVisibility.LIVE));
    expect(await page.inputValue("#poll-secrecy")).toBe(String(BallotSecrecy.PUBLIC));
    expect(await page.inputValue("#poll-zone")).toBe("America/New_York");
    expect(await page.isChecked("#poll-role-member")).toBe(true);
    expect(await page.isChecked("#poll-shuffle")).toBe(false);
    expect(await page.inputValue("#poll-electorate")).toBe(String(EligibilitySnapshot.AT_OPEN));
    // Only approval's own settings show.
    expect(await page.isVisible("#poll-min")).toBe(true);
    expect(await page.isVisible("#poll-max-score")).toBe(false);
    expect(await page.isVisible("#poll-seats")).toBe(false);
    expect(await page.isVisible("#poll-threshold")).toBe(false);
    // Methods are offered by their names.
    expect(await page.locator("#poll-method option").allTextContents()).toContain("Ranked choice (instant runoff)");

    await page.fill("#poll-title", "Which harbour works first?");
    await page.fill("#poll-options", "Pier\nPier!\n  Café Terrace  \n\nBoat ramp");
    await page.fill("#poll-topics", "harbour, works");
    await page.fill("#poll-quorum", "40");
    await page.fill("#poll-min", "1");
    await page.fill("#poll-max", "2");
    await page.fill("#poll-closes", "2027-03-15T18:30");
    await page.selectOption("#poll-zone", "Australia/Adelaide");
    await page.uncheck("#poll-role-admin");
    await page.selectOption("#poll-results", String(ResultVisibility.AFTER_VOTE));
    await page.selectOption("#poll-secrecy", String(BallotSecrecy.SECRET));
    await page.fill("#poll-seed", "harbour-seed");
    await page.uncheck("#poll-delegation");
    await page.check("#poll-shuffle");
    await page.selectOption("#poll-electorate", String(EligibilitySnapshot.AT_CLOSE));
    await page.uncheck("#poll-open");
    mkdirSync(shots, { recursive: true });
    await page.locator("[data-testid=create-poll-form]").screenshot({ path: join(shots, "poll-form.png") });
    draftId = await submit();

    const p = await getPoll(draftId);
    expect(p.state).toBe(PollState.DRAFT);
    expect(p.method).toBe(VotingMethod.APPROVAL);
    expect(p.options.map((o) => [o.id, o.label])).toEqual([["pier", "Pier"], ["pier-2", "Pier!"], ["cafe-terrace", "Café Terrace"], ["boat-ramp", "Boat ramp"]]);
    expect(p.topics).toEqual(["harbour", "works"]);
    expect(p.quorum?.kind).toEqual({ case: "percentOfEligible", value: 40 });
    expect([p.minSelections, p.maxSelections]).toEqual([1, 2]);
    // 18:30 in Adelaide (UTC+10:30 in March, daylight saving time) is 08:00 UTC.
    expect(closes(p)).toBe("2027-03-15T08:00:00.000Z");
    expect(p.timeZone).toBe("Australia/Adelaide");
    expect(p.eligibleRoles).toEqual(["moderator", "member"]);
    expect(p.resultVisibility).toBe(ResultVisibility.AFTER_VOTE);
    expect(p.secrecy).toBe(BallotSecrecy.SECRET);
    expect(p.tieBreakSeed).toBe("harbour-seed");
    expect(p.allowDelegation).toBe(false);
    expect(p.shuffleOptions).toBe(true);
    expect(p.eligibilitySnapshot).toBe(EligibilitySnapshot.AT_CLOSE);
  });

  it("creates score, STAR, STV, single-choice and proposal polls with their own settings", async () => {
    await newPoll(VotingMethod.SCORE);
    expect(await page.isVisible("#poll-max-score")).toBe(true);
    await page.fill("#poll-title", "Rate the benches");
    await page.fill("#poll-options", "Oak\nSteel");
    await page.fill("#poll-max-score", "10");
    await page.fill("#poll-quorum", "3");
    await page.selectOption("#poll-quorum-kind", "voters");
    await page.selectOption("#poll-results", String(ResultVisibility.AFTER_CLOSE));
    let p = await getPoll(await submit());
    expect([p.method, p.maxScore, p.state, p.resultVisibility]).toEqual([VotingMethod.SCORE, 10, PollState.OPEN, ResultVisibility.AFTER_CLOSE]);
    expect(p.quorum?.kind).toEqual({ case: "absolute", value: 3 });
    // Nothing typed: the schedule is by hand, ballots public, results live.
    expect([p.closesAt, p.secrecy, p.shuffleOptions]).toEqual([undefined, BallotSecrecy.PUBLIC, false]);
    expect(p.eligibilitySnapshot).not.toBe(EligibilitySnapshot.AT_CLOSE);

    await newPoll(VotingMethod.STAR);
    await page.fill("#poll-title", "STAR for the ferry colour");
    await page.fill("#poll-options", "Red\nBlue\nGreen");
    await page.fill("#poll-max-score", "7");
    p = await getPoll(await submit());
    expect([p.method, p.maxScore, p.resultVisibility]).toEqual([VotingMethod.STAR, 7, ResultVisibility.LIVE]);

    await newPoll(VotingMethod.STV);
    expect(await page.isVisible("#poll-seats")).toBe(true);
    expect(await page.isVisible("#poll-max-score")).toBe(false);
    await page.fill("#poll-title", "Harbour board");
    await page.fill("#poll-options", "Ana\nBo\nCy\nDee");
    await page.fill("#poll-seats", "2");
    await page.fill("#poll-opens", "2027-01-10T09:00");
    await page.fill("#poll-closes", "2027-01-17T09:00");
    p = await getPoll(await submit());
    // A schedule makes it scheduled, not opened at once; the times are New York's (UTC-5 in January).
    expect([p.method, p.seats, p.state, p.timeZone]).toEqual([VotingMethod.STV, 2, PollState.SCHEDULED, "America/New_York"]);
    expect(timestampDate(p.opensAt!).toISOString()).toBe("2027-01-10T14:00:00.000Z");
    expect(closes(p)).toBe("2027-01-17T14:00:00.000Z");

    await newPoll(VotingMethod.SINGLE_CHOICE);
    expect(await page.isVisible("#poll-threshold")).toBe(true);
    await page.fill("#poll-title", "Adopt the new mooring fee?");
    await page.fill("#poll-options", "Yes, as proposed\nYes, but lower\nNo");
    await page.fill("#poll-threshold", "60");
    p = await getPoll(await submit());
    expect([p.method, p.passThresholdPercent, p.options.map((o) => o.id)]).toEqual([VotingMethod.SINGLE_CHOICE, 60, ["yes-as-proposed", "yes-but-lower", "no"]]);

    await newPoll(VotingMethod.PROPOSAL);
    expect(await page.isVisible("#poll-options")).toBe(false);
    expect(await page.isVisible("#poll-shuffle")).toBe(false);
    await page.fill("#poll-title", "Paint the lighthouse");
    await page.fill("#poll-threshold", "66.5");
    p = await getPoll(await submit());
    expect([p.method, p.passThresholdPercent, p.options.length]).toEqual([VotingMethod.PROPOSAL, 66.5, 0]);
  });

  it("shows what is wrong beside the field, in words, from the form and from the server", async () => {
    await newPoll(VotingMethod.RANKED_IRV);
    await page.fill("#poll-title", "Only one option");
    await page.fill("#poll-options", "Lonely");
    await page.click("[data-testid=create-poll-submit]");
    expect(await page.textContent("[data-testid=poll-options-error]")).toBe("Give at least two options, each on its own line.");
    await page.fill("#poll-topics", "harbour, Big works!");
    await page.uncheck("#poll-role-admin");
    await page.uncheck("#poll-role-moderator");
    await page.uncheck("#poll-role-member");
    await page.click("[data-testid=create-poll-submit]");
    expect(await page.textContent("[data-testid=poll-topics-error]")).toBe('"big works!" is not a topic: use lower-case letters, digits and dashes (at most 40).');
    expect(await page.textContent("[data-testid=poll-roles-error]")).toBe("Choose at least one role that may vote.");
    await page.fill("#poll-topics", "");
    await page.check("#poll-role-member");

    // The server refuses more seats than options; the refusal lands beside Seats.
    await page.selectOption("#poll-method", String(VotingMethod.STV));
    await page.fill("#poll-options", "Ana\nBo");
    await page.fill("#poll-seats", "3");
    await page.click("[data-testid=create-poll-submit]");
    await page.waitForSelector("[data-testid=poll-seats-error] span");
    expect(await page.textContent("[data-testid=poll-seats-error]")).toBe("3 seats but only 2 options.");
    expect(await page.textContent("[data-testid=poll-options-error]")).toBe("");
    expect(await page.textContent("[data-testid=error]")).toBe("Check the settings marked above.");
  });

  it("edits a draft: the form comes back filled, saving keeps kept options' ids and moves the time with the zone", async () => {
    await page.goto(`${server!.url}/#/communities/${communityId}/polls/${draftId}`);
    await page.click("[data-testid=edit-poll-link]");
    await page.waitForSelector("[data-testid=edit-poll-form]");
    expect(await page.inputValue("#poll-title")).toBe("Which harbour works first?");
    expect(await page.inputValue("#poll-options")).toBe("Pier\nPier!\nCafé Terrace\nBoat ramp");
    expect(await page.inputValue("#poll-zone")).toBe("Australia/Adelaide");
    expect(await page.inputValue("#poll-closes")).toBe("2027-03-15T18:30");
    expect(await page.isChecked("#poll-role-admin")).toBe(false);
    expect(await page.inputValue("#poll-secrecy")).toBe(String(BallotSecrecy.SECRET));
    expect(await page.isChecked("#poll-shuffle")).toBe(true);
    expect(await page.inputValue("#poll-electorate")).toBe(String(EligibilitySnapshot.AT_CLOSE));
    const before = await getPoll(draftId);

    await page.fill("#poll-title", "Which harbour works go first?");
    await page.fill("#poll-options", "Boat ramp\nPier\nSlipway\nCafé Terrace");
    await page.fill("#poll-max", "3");
    await page.selectOption("#poll-zone", "Europe/Lisbon");
    await submit("edit-poll-submit");

    const p = await getPoll(draftId);
    expect(p.title).toBe("Which harbour works go first?");
    expect(p.options.map((o) => o.id)).toEqual(["boat-ramp", "pier", "slipway", "cafe-terrace"]);
    expect(p.maxSelections).toBe(3);
    // The same wall-clock time, now read in Lisbon (UTC+0 in March before the change).
    expect(closes(p)).toBe("2027-03-15T18:30:00.000Z");
    expect(p.timeZone).toBe("Europe/Lisbon");
    // The rest stayed as it was.
    expect([p.secrecy, p.resultVisibility, p.tieBreakSeed, p.eligibleRoles, p.allowDelegation, p.shuffleOptions, p.eligibilitySnapshot])
      .toEqual([before.secrecy, before.resultVisibility, before.tieBreakSeed, before.eligibleRoles, false, true, EligibilitySnapshot.AT_CLOSE]);
    expect(p.etag).not.toBe(before.etag);

    // Changed by someone else while the form is open: the save is refused in words, nothing is overwritten.
    await page.click("[data-testid=edit-poll-link]");
    await page.waitForSelector("[data-testid=edit-poll-form]");
    await admin.voting.updatePoll({ poll: { ...(await getPoll(draftId)), tieBreakSeed: "their-seed" }, updateMask: { paths: ["tie_break_seed"] } });
    await page.fill("#poll-seed", "my-seed");
    await page.click("[data-testid=edit-poll-submit]");
    await page.waitForSelector("[data-testid=error]");
    expect(await page.textContent("[data-testid=error] > span")).toMatch(/^Someone changed this poll while you were editing it\. Reload/);
    expect((await getPoll(draftId)).tieBreakSeed).toBe("their-seed");
  });

  it("an opened poll can no longer be edited, and a form left open says why its save fails", async () => {
    await page.goto(`${server!.url}/#/communities/${communityId}/polls/${draftId}/edit`);
    await page.waitForSelector("[data-testid=edit-poll-form]");
    // Opened elsewhere while the form is open: saving is refused in words.
    await admin.voting.openPoll({ communityId, pollId: draftId });
    await page.fill("#poll-title", "Too late to rename");
    await page.click("[data-testid=edit-poll-submit]");
    await page.waitForSelector("[data-testid=error]");
    expect(await page.textContent("[data-testid=error] > span")).toBe("This poll has been opened, so its settings can no longer be changed.");
    expect((await getPoll(draftId)).title).toBe("Which harbour works go first?");

    await page.goto(`${server!.url}/#/communities/${communityId}/polls/${draftId}`);
    await page.waitForSelector("[data-testid=poll-title]");
    expect(await page.locator("[data-testid=edit-poll-link]").count()).toBe(0);
    await page.goto(`${server!.url}/#/communities/${communityId}/polls/${draftId}/edit`);
    await page.waitForSelector("[data-testid=edit-poll-closed]");
    expect(await page.locator("[data-testid=edit-poll-form]").count()).toBe(0);
  });
});
