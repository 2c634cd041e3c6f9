// The disco survey pages in Chromium against a real polityd on PostgreSQL: an admin reaches a project's surveys
// from the org page, writes a survey in the editor (a refused choice question is marked at its options, needs
// reordered) and opens it; an anonymous visitor answers with the sign-up questionnaire, registers, verifies the
// emailed link and sees the answers claimed as their account's; the admin reads the statistics grouped by age
// range (the visitor's group suppressed as "fewer than 2", the total withheld) and downloads the CSV, which is
// byte for byte the API's export of the same query.
import { mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { PolityClient } from "../../clients/src/core.js";
import { createPolityClient } from "../../clients/src/node.js";
import { AgeRange, NeedKind, SurveyService, SurveyStatus } from "../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { AnswerService } from "../../clients/src/gen/polity/mod/disco/v1/answers_pb.js";
import { StatisticsDimension, StatisticsService, SuppressionReason } from "../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";
import { closeBrowserAndServer, haveChromium, openPage, printTrailOnFailure, signedInChromium } from "../support/browser.js";
import { clientFor } from "../support/clients.js";
import { signUpVerified, verificationTokenFor } from "../support/people.js";
import { startPostgresServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "survey-admin@example.org", password: "correct horse battery" };
const shots = process.env.POLITY_SCREENSHOTS ?? join(tmpdir(), "polity-screenshots");
const VISITOR = { email: "river-friend@example.org", password: "a long visitor password", name: "River Friend" };

describe.skipIf(!haveChromium && !process.env.CI)("the disco survey pages in Chromium", () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let admin: PolityClient;
  let page: Page;
  let visitor: Page;
  let orgId = "";
  let projectId = "";
  let surveyId = "";
  const trail: string[] = [];
  const surveysApi = () => createClient(SurveyService, admin.transport);

  beforeAll(async () => {
    // A minimum group size of 2 lets a handful of answers show one group and suppress another.
    server = await startPostgresServer("web-disco-surveys", {
      POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, POLITY_DISCO_MIN_GROUP_SIZE: "2",
    });
    admin = createPolityClient({ baseUrl: server.url });
    await admin.auth.login(ADMIN);
    const { org } = await admin.orgs.createOrg({ slug: "river-friends", displayName: "River Friends" });
    const { project } = await admin.orgs.createProject({ orgId: org!.id, slug: "clean-banks", displayName: "Clean banks" });
    orgId = org!.id;
    projectId = project!.id;
    ({ browser, page } = await signedInChromium(server.url, ADMIN, trail, { beforeSignIn: (p) => p.on("dialog", (d) => void d.accept()) }));
    visitor = await openPage(browser, trail);
    visitor.on("dialog", (d) => void d.accept());
    mkdirSync(shots, { recursive: true });
  }, 180_000);
  afterEach(printTrailOnFailure(trail));
  afterAll(async () => {
    await closeBrowserAndServer(browser, server);
  });

  it("lets an admin write a survey in the editor, with a refused field marked where it is, and open it", async () => {
    await page.goto(`${server!.url}/#/orgs/${orgId}`);
    await page.click("[data-testid=projects-table] [data-testid=project-surveys-link]");
    await page.waitForSelector("[data-testid=survey-create-form]");
    expect(await page.textContent("[data-testid=surveys-title]")).toBe("Surveys of Clean banks");
    await page.fill("[data-testid=survey-new-title]", "Who helps the river?");
    await page.click("[data-testid=survey-create]");
    await page.waitForSelector("[data-testid=survey-form]");
    surveyId = page.url().split("/").pop()!;

    await page.click("[data-testid=add-supply]");
    const role = page.locator("[data-testid=supply-question]").nth(0);
    await role.locator("[data-testid=supply-name]").fill("Volunteer");
    await role.locator("[data-testid=supply-description]").fill("Hours on the river banks");
    await page.click("[data-testid=add-need]");
    await page.click("[data-testid=add-need]");
    const needs = page.locator("[data-testid=need-question]");
    await needs.nth(0).locator("[data-testid=need-group]").fill("Getting there");
    await needs.nth(0).locator("[data-testid=need-prompt]").fill("Do you need a lift?");
    await needs.nth(1).locator("[data-testid=need-group]").fill("Getting there");
    await needs.nth(1).locator("[data-testid=need-prompt]").fill("When can you come?");
    await needs.nth(1).locator("[data-testid=need-kind]").selectOption(String(NeedKind.CHOICE));
    // One option is not a choice: the server refuses it, and the form says so at that question's options.
    await needs.nth(1).locator("[data-testid=need-options]").fill("Mornings");
    await page.click("[data-testid=survey-save]");
    const problem = needs.nth(1).locator("[data-testid=field-error]");
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/two distinct options/);
    await page.screenshot({ path: join(shots, "disco-survey-editor.png"), fullPage: true });
    expect((await surveysApi().getSurvey({ surveyId })).survey!.needQuestions).toHaveLength(0);

    await needs.nth(1).locator("[data-testid=need-options]").fill("Mornings\nEvenings");
    await needs.nth(1).locator("[data-testid=need-required]").check();
    // The choice goes first.
    await needs.nth(1).locator("[data-testid=q-up]").click();
    await page.selectOption("[data-testid=survey-status-select]", String(SurveyStatus.OPEN));
    await page.click("[data-testid=survey-save]");
    await page.waitForSelector("[data-testid=survey-form] [data-testid=notice]");
    expect(await page.locator("[data-testid=field-error]").count()).toBe(0);
    await page.waitForSelector("[data-testid=survey-status][data-status=open]");

    const { survey } = await surveysApi().getSurvey({ surveyId });
    expect(survey!.status).toBe(SurveyStatus.OPEN);
    expect(survey!.supplyQuestions.map((q) => [q.name, q.unit])).toEqual([["Volunteer", "hours"]]);
    expect(survey!.needQuestions.map((q) => [q.prompt, q.kind, q.options, q.required, q.group])).toEqual([
      ["When can you come?", NeedKind.CHOICE, ["Mornings", "Evenings"], true, "Getting there"],
      ["Do you need a lift?", NeedKind.BOOLEAN, [], false, "Getting there"],
    ]);
  });

  it("takes an anonymous visitor's answers and makes them their account's once they register and verify", async () => {
    // Two registered people answer through the API, both 25–34.
    const { survey } = await surveysApi().getSurvey({ surveyId });
    const [volunteer] = survey!.supplyQuestions;
    const [when, lift] = survey!.needQuestions;
    for (const [email, hours] of [["ana@example.org", 4], ["ben@example.org", 6]] as const) {
      const person = await signUpVerified(server!.url, server!.logs, email);
      await clientFor(AnswerService, server!.url, person.token).submitAnswers({ surveyId, answers: {
        pledges: [{ supplyQuestionId: volunteer.id, amount: hours }],
        needs: [{ needQuestionId: when.id, value: { case: "choiceValue", value: "Mornings" } }],
        ageRange: AgeRange.AGE_RANGE_25_34,
      } });
    }

    await visitor.goto(`${server!.url}/#/disco/answer/${surveyId}`);
    await visitor.waitForSelector("[data-testid=questionnaire]");
    expect(await visitor.textContent("[data-testid=answer-title]")).toBe("Who helps the river?");
    // The groups of needs in the order the editor left them.
    expect(await visitor.locator("[data-testid=need-input]").evaluateAll((els) => els.map((e) => e.id))).toEqual([`need-${when.id}`, `need-${lift.id}`]);
    await visitor.fill(`#pledge-${volunteer.id}`, "2.5");
    await visitor.selectOption(`#need-${when.id}`, "Evenings");
    await visitor.selectOption(`#need-${lift.id}`, "true");
    await visitor.selectOption("[data-testid=answer-age]", String(AgeRange.AGE_RANGE_18_24));
    await visitor.fill("[data-testid=questionnaire-email]", VISITOR.email);
    await visitor.fill("[data-testid=questionnaire-name]", VISITOR.name);
    await visitor.check("[data-testid=questionnaire-consent]");
    await visitor.screenshot({ path: join(shots, "disco-answer-form.png"), fullPage: true });
    await visitor.click("[data-testid=answers-submit]");
    await visitor.waitForSelector("[data-testid=answers-sent]");
    const pending = await visitor.evaluate(() => localStorage.getItem("polity.disco.pendingClaims"));
    expect(JSON.parse(pending!)).toEqual([expect.objectContaining({ surveyId, surveyTitle: "Who helps the river?" })]);

    // Kept, not counted: the admin sees an unclaimed set with the questionnaire.
    const answersApi = createClient(AnswerService, admin.transport);
    const before = (await answersApi.listAnswers({ projectId, surveyId })).answerSets.filter((s) => !s.accountId);
    expect(before).toHaveLength(1);
    expect(before[0].counted).toBe(false);
    expect(before[0].questionnaire?.email).toBe(VISITOR.email);

    await visitor.click("[data-testid=answers-register]");
    await visitor.fill("#displayName", VISITOR.name);
    await visitor.fill("#email", VISITOR.email);
    await visitor.fill("#password", VISITOR.password);
    await visitor.click("[data-testid=register-form-submit]");
    await visitor.waitForSelector("[data-testid=notice]");
    await visitor.goto(`${server!.url}/#/verify?token=${await verificationTokenFor(server!.logs, VISITOR.email)}`);
    await visitor.click("[data-testid=verify-continue]");
    const notice = visitor.locator("[data-testid=claim-notice][data-outcome=claimed]");
    await notice.waitFor();
    expect(await notice.textContent()).toContain("Who helps the river?");
    await visitor.screenshot({ path: join(shots, "disco-answers-claimed.png") });
    expect(await visitor.evaluate(() => localStorage.getItem("polity.disco.pendingClaims"))).toBeNull();

    await notice.locator("[data-testid=claim-notice-link]").click();
    await visitor.waitForSelector("[data-testid=my-answers-state][data-state=counted]");
    expect(await visitor.inputValue(`#pledge-${volunteer.id}`)).toBe("2.5");
    expect(await visitor.inputValue(`#need-${when.id}`)).toBe("Evenings");
    const after = (await answersApi.getAnswerSet({ projectId, answerSetId: before[0].id })).answerSet!;
    expect(after.accountId).not.toBe("");
    expect(after.counted).toBe(true);
    expect(after.answers?.ageRange).toBe(AgeRange.AGE_RANGE_18_24);
  });

  it("lets the person change and withdraw their answers", async () => {
    const { survey } = await surveysApi().getSurvey({ surveyId });
    const volunteer = survey!.supplyQuestions[0];
    await visitor.fill(`#pledge-${volunteer.id}`, "3");
    await visitor.click("[data-testid=answers-submit]");
    await visitor.waitForSelector("[data-testid=answer-form] [data-testid=notice]");
    await visitor.click("[data-testid=answers-withdraw]");
    await visitor.waitForSelector("[data-testid=my-answers-state][data-state=withdrawn]");
    // Sent again, it counts again, with the changed amount.
    await visitor.click("[data-testid=answers-submit]");
    await visitor.waitForSelector("[data-testid=my-answers-state][data-state=counted]");
    const answersApi = createClient(AnswerService, admin.transport);
    const mine = (await answersApi.listAnswers({ projectId, surveyId, countedOnly: true })).answerSets.find((s) => s.answers?.ageRange === AgeRange.AGE_RANGE_18_24);
    expect(mine?.answers?.pledges.map((p) => p.amount)).toEqual([3]);
  });

  it("shows the admin statistics by age range with the small group suppressed, and downloads the same as CSV", async () => {
    await page.goto(`${server!.url}/#/disco/stats/${surveyId}`);
    await page.waitForSelector("[data-testid=stats-view]");
    await page.selectOption("#stats-group-1", String(StatisticsDimension.AGE_RANGE));
    await page.click("[data-testid=stats-apply]");
    await page.waitForSelector("[data-testid=stats-table] [data-testid=stats-group][data-key='25-34']");

    const query = { groupBy: [StatisticsDimension.AGE_RANGE], timeZone: await page.inputValue("#stats-zone"), language: await page.evaluate(() => navigator.language) };
    const stats = createClient(StatisticsService, admin.transport);
    const res = await stats.getSurveyStatistics({ projectId, surveyProjectId: surveyId, query });
    const shown = res.groups.find((g) => g.keys[0]?.value === "25-34")!;
    const small = res.groups.find((g) => g.keys[0]?.value === "18-24")!;
    expect(shown.suppressed).toBe(SuppressionReason.UNSPECIFIED);
    expect(shown.respondents).toBe(2);
    expect(shown.supply[0].totalAmount).toBe(10);
    expect(small.suppressed).toBe(SuppressionReason.BELOW_MINIMUM);
    expect(res.total?.suppressed).toBe(SuppressionReason.WITHHELD);

    const rowOf = (key: string) => page.locator("[data-testid=stats-table] tbody tr", { has: page.locator(`[data-testid=stats-group][data-key='${key}']`) });
    expect(await rowOf("25-34").locator("td").allTextContents()).toEqual([expect.any(String), "2", "2", "10"]);
    // The small group: its label and why, no number of it anywhere in its row.
    expect((await rowOf("18-24").locator("td").allTextContents()).slice(1)).toEqual(["fewer than 2", "—", "—"]);
    expect(await page.textContent("[data-testid=stats-total]")).toContain("withheld");
    const bars = page.locator("[data-testid=chart-respondents] [data-testid=chart-respondents-bar]");
    const drawn = await bars.evaluateAll((els) => els.map((e) => [e.getAttribute("data-label"), e.getAttribute("data-suppressed"),
      e.querySelector(".stats-chart-value, .stats-chart-hidden")?.textContent]));
    expect(drawn).toEqual(res.groups.map((g) => [g.keys[0].label || g.keys[0].value, g.suppressed ? "yes" : "no", g.suppressed ? "fewer than 2" : String(g.respondents)]));

    await page.screenshot({ path: join(shots, "disco-statistics.png"), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=stats-csv]")]);
    expect(download.suggestedFilename()).toBe("who-helps-the-river-statistics.csv");
    const saved = readFileSync((await download.path())!, "utf8");
    let exported = "";
    const decoder = new TextDecoder();
    for await (const part of stats.exportSurveyStatistics({ projectId, surveyProjectId: surveyId, query })) exported += decoder.decode(part.chunk, { stream: true });
    expect(saved).toBe(exported + decoder.decode());
    const lines = saved.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^scope,age_range,/);
    // The small group is listed, and its rows carry no value.
    const smallRows = lines.filter((l) => l.startsWith("group,18-24,"));
    expect(smallRows.length).toBeGreaterThan(0);
    expect(smallRows.every((l) => /,,[^,]*,yes$/.test(l))).toBe(true);

    // A respondent is no admin: the page is the refusal, with no numbers.
    await visitor.goto(`${server!.url}/#/disco/stats/${surveyId}`);
    await visitor.waitForSelector("[data-testid=error]");
    expect(await visitor.locator("[data-testid=stats-view]").count()).toBe(0);
    expect(await visitor.textContent("[data-testid=error]")).toMatch(/not allowed/);
  });

  it("asks someone who had already answered which answers stay, and replaces them when told", async () => {
    const { survey } = await surveysApi().getSurvey({ surveyId });
    const [volunteer] = survey!.supplyQuestions;
    const [when] = survey!.needQuestions;
    const other = await openPage(browser!, trail);
    await other.goto(`${server!.url}/#/disco/answer/${surveyId}`);
    await other.fill(`#pledge-${volunteer.id}`, "1");
    await other.selectOption(`#need-${when.id}`, "Evenings");
    await other.selectOption("[data-testid=answer-age]", String(AgeRange.AGE_RANGE_65_PLUS));
    await other.fill("[data-testid=questionnaire-email]", "ana@example.org");
    await other.fill("[data-testid=questionnaire-name]", "Ana");
    await other.click("[data-testid=answers-submit]");
    await other.click("[data-testid=answers-login]");
    await other.fill("#email", "ana@example.org");
    await other.fill("#password", "a long enough password");
    await other.click("[data-testid=login-form-submit]");
    // Back on the survey, with her earlier answers (4 hours) and the question which ones stay.
    await other.waitForSelector("[data-testid=claim-notice][data-outcome=ask]");
    expect(await other.inputValue(`#pledge-${volunteer.id}`)).toBe("4");
    await other.click("[data-testid=claim-replace]");
    await other.waitForSelector("[data-testid=claim-notice][data-outcome=claimed]");
    await expect.poll(() => other.inputValue(`#pledge-${volunteer.id}`)).toBe("1");

    const counted = (await createClient(AnswerService, admin.transport).listAnswers({ projectId, surveyId, countedOnly: true })).answerSets;
    expect(counted.map((s) => s.answers?.pledges[0]?.amount).sort()).toEqual([1, 3, 6]);
    await other.context().close();
  });
});
