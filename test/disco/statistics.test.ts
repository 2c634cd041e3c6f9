// Disco statistics end to end on PostgreSQL: two servers on one database, one with the default minimum group
// size (5) and one with POLITY_DISCO_MIN_GROUP_SIZE=1, answer GetSurveyStatistics and its CSV export for 21
// people; every number must equal a count of the same answers made in the test, the CSV must say what the
// message says, small groups and cells must be suppressed (and only under the larger minimum), and no text
// answer may ever leave the server.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import {
  type GetSurveyStatisticsResponse,
  StatisticsDimension as D,
  StatisticsService,
  SuppressionReason,
} from "../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";
import { AgeRange } from "../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { clientFor } from "../support/clients.js";
import { reasonOf, rejection } from "../support/failures.js";
import { type Person, signUpVerified } from "../support/people.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startInProcessServer, type TestServer } from "../support/server.js";
import { cellKey, groupKeyOf, type Numbers, type RefDimension, referenceOf, shownOf } from "./statistics-reference.js";
import { createStageOrg, insertStage, SECRET_TEXT, type StageAnswer, stageAnswers, type StageSurvey } from "./statistics-stage.js";

const ADMIN = { email: "stats-admin@example.org", password: "a long admin password" };
const DIMENSION: Record<RefDimension, D> = { country: D.COUNTRY, city: D.CITY, age_range: D.AGE_RANGE, day: D.DAY, week: D.WEEK, month: D.MONTH };

let database: TestDatabase;
let strict: TestServer; // minimum group size 5 (the default)
let open: TestServer; // minimum group size 1
let projectAdmin: Person;
let projectId: string;
let otherProjectId: string;
let member: Person;
let otherAdmin: Person;
let survey: StageSurvey;
let answers: StageAnswer[];

const tokenOn = async (server: TestServer, who: { email: string; password: string }) =>
  (await clientFor(AuthService, server.url).login(who)).tokens!.accessToken;

beforeAll(async () => {
  database = await createTestDatabase("disco_stats");
  const env = { DATABASE_URL: database.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password };
  strict = await startInProcessServer(env);
  open = await startInProcessServer({ ...env, POLITY_DISCO_MIN_GROUP_SIZE: "1" });
  const root = await tokenOn(strict, ADMIN);
  const { orgId, ...projects } = await createStageOrg(strict.url, root, "stats-coop");
  ({ projectId, otherProjectId } = projects);
  [projectAdmin, member, otherAdmin] = await Promise.all(
    ["stats-padmin@example.org", "stats-member@example.org", "stats-other@example.org"].map((email) => signUpVerified(strict.url, strict.logs, email)),
  );
  const authz = clientFor(AuthzService, strict.url, root);
  await authz.grantRole({ accountId: projectAdmin.accountId, role: "project.admin", resource: `project/${projectId}` });
  await authz.grantRole({ accountId: otherAdmin.accountId, role: "project.admin", resource: `project/${otherProjectId}` });
  await authz.grantRole({ accountId: member.accountId, role: "org.member", resource: `org/${orgId}` });
  answers = stageAnswers();
  survey = await insertStage(database.url, { orgId, projectId, createdBy: projectAdmin.accountId }, answers);
}, 120_000);

afterAll(async () => {
  await strict?.stop();
  await open?.stop();
  await database?.drop();
});

const statsOn = (server: TestServer, token = projectAdmin.token) => clientFor(StatisticsService, server.url, token);

async function exportCsv(server: TestServer, query: object, token = projectAdmin.token): Promise<string> {
  let text = "";
  for await (const { chunk } of statsOn(server, token).exportSurveyStatistics({ projectId, surveyProjectId: survey.id, query })) text += new TextDecoder().decode(chunk);
  return text;
}

/** The CSV read back into the same shape as shownOf: group key → numbers and suppressed cells. */
function csvGroups(csv: string, dimensions: number): Map<string, { numbers: Numbers; suppressed: Set<string> }> {
  const rows: string[][] = parse(csv, { relaxColumnCount: false });
  const [head, ...body] = rows;
  const at = (name: string) => head!.indexOf(name);
  const keyColumns = head!.slice(1, at("question_id")).filter((c) => !c.endsWith("_name")).map(at);
  expect(keyColumns).toHaveLength(dimensions);
  const out = new Map<string, { numbers: Numbers; suppressed: Set<string> }>();
  for (const row of body) {
    const key = row[0] === "total" ? "*" : keyColumns.map((i) => row[i]).join("|");
    const group = out.get(key) ?? { numbers: new Map(), suppressed: new Set<string>() };
    out.set(key, group);
    const questionId = row[at("question_id")]!;
    const cell = cellKey(questionId, row[at("measure")]!, row[at("option")]!);
    if (row[at("suppressed")] === "yes") {
      expect(row[at("value")]).toBe("");
      group.suppressed.add(cell);
    } else group.numbers.set(cell, Number(row[at("value")]));
  }
  return out;
}

function expectCsvAgrees(stats: GetSurveyStatisticsResponse, csv: string): void {
  const fromCsv = csvGroups(csv, stats.groupBy.length);
  const fromMessage = new Map([stats.total!, ...stats.groups].map((g) => [groupKeyOf(g), shownOf(stats, g)]));
  expect([...fromCsv.keys()].sort()).toEqual([...fromMessage.keys()].sort());
  for (const [key, shown] of fromMessage) {
    const csvGroup = fromCsv.get(key)!;
    expect([...csvGroup.suppressed].sort(), key).toEqual([...shown.suppressed].sort());
    expect([...csvGroup.numbers.keys()].sort(), key).toEqual([...shown.numbers.keys()].sort());
    for (const [cell, value] of shown.numbers) expect(csvGroup.numbers.get(cell), `${key} ${cell}`).toBeCloseTo(value, 6);
  }
}

/** Every number the answer shows equals the reference count of the same people. */
function expectMatchesReference(stats: GetSurveyStatisticsResponse, reference: Map<string, Numbers>): void {
  const groups = [stats.total!, ...stats.groups];
  expect(stats.groups.map(groupKeyOf).sort()).toEqual([...reference.keys()].filter((k) => k !== "*").sort());
  for (const group of groups) {
    const want = reference.get(groupKeyOf(group))!;
    for (const [cell, value] of shownOf(stats, group).numbers) expect(value, `${groupKeyOf(group)} ${cell}`).toBeCloseTo(want.get(cell)!, 6);
  }
}

describe("survey statistics", () => {
  const groupings: RefDimension[][] = [[], ["country"], ["city"], ["age_range"], ["month"], ["week"], ["day"], ["country", "age_range"], ["city", "month"]];

  it.each(groupings.map((g) => [g.join("+") || "none", g] as const))("counts exactly what the answers say, grouped by %s, and the CSV agrees", async (_, dimensions) => {
    const query = { groupBy: dimensions.map((d) => DIMENSION[d]), timeZone: "Europe/Paris" };
    const stats = await statsOn(open).getSurveyStatistics({ projectId, surveyProjectId: survey.id, query });
    expect(stats.minGroupSize).toBe(1);
    expect(stats.supplyQuestions.map((q) => q.name)).toEqual(["Cook meals", "=HYPERLINK(\"http://x\")"]);
    for (const g of [stats.total!, ...stats.groups]) expect(shownOf(stats, g).suppressed.size).toBe(0);
    expect(stats.total!.respondents).toBe(21);
    expectMatchesReference(stats, referenceOf(answers, survey, dimensions, "Europe/Paris"));
    expectCsvAgrees(stats, await exportCsv(open, query));
  });

  it("buckets time in the asked zone: an answer at 23:30 UTC on 28 February is March in Paris", async () => {
    const month = async (timeZone: string) =>
      (await statsOn(open).getSurveyStatistics({ projectId, surveyProjectId: survey.id, query: { groupBy: [D.MONTH], timeZone } })).groups.map((g) => [g.keys[0]!.value, g.respondents]);
    const utc = await month("UTC");
    const paris = await month("Europe/Paris");
    expect(utc.map(([k]) => k)).toEqual(["2026-02-01", "2026-03-01", "2026-04-01"]);
    expect(paris.map(([k]) => k)).toEqual(["2026-03-01", "2026-04-01"]);
    expect(utc[0]![1]).toBeGreaterThan(0);
    expect(paris[0]![1]).toBe((utc[0]![1] as number) + (utc[1]![1] as number));
  });

  it("filters by country, place, age ranges, submission time and questions", async () => {
    const from = new Date("2026-03-01T00:00:00Z");
    const to = new Date("2026-03-29T12:00:00Z");
    const filter = { countryId: "FR", ageRanges: [AgeRange.AGE_RANGE_25_34, AgeRange.AGE_RANGE_35_44], submittedFrom: timestampFromDate(from), submittedTo: timestampFromDate(to) };
    const stats = await statsOn(open).getSurveyStatistics({ projectId, surveyProjectId: survey.id, query: { filter, groupBy: [D.CITY] } });
    const kept = answers.filter((a) => a.countryId === "FR" && ["25-34", "35-44"].includes(a.ageRange ?? "") && a.submittedAt >= from && a.submittedAt < to);
    expect(kept.length).toBeGreaterThan(1);
    expectMatchesReference(stats, referenceOf(kept, survey, ["city"]));

    const paris = await statsOn(open).getSurveyStatistics({ projectId, surveyProjectId: survey.id, query: { filter: { placeId: "gn:2988507", questionIds: [survey.kidsId] } } });
    expect(paris.total!.respondents).toBe(8);
    expect(paris.supplyQuestions).toEqual([]);
    expect(paris.needQuestions.map((q) => q.id)).toEqual([survey.kidsId]);
  });

  it("suppresses groups under the minimum and withholds the total they could be worked out from", async () => {
    const stats = await statsOn(strict).getSurveyStatistics({ projectId, surveyProjectId: survey.id, query: { groupBy: [D.COUNTRY] } });
    expect(stats.minGroupSize).toBe(5);
    const byCountry = new Map(stats.groups.map((g) => [g.keys[0]!.value, g]));
    expect([...byCountry.keys()]).toEqual(["BE", "DE", "FR", ""]);
    expect(byCountry.get("BE")!.suppressed).toBe(SuppressionReason.BELOW_MINIMUM);
    // A group of one person is never shown.
    expect(byCountry.get("")!.suppressed).toBe(SuppressionReason.BELOW_MINIMUM);
    for (const hidden of [byCountry.get("BE")!, byCountry.get("")!, stats.total!]) {
      expect(hidden.respondents).toBe(0);
      expect(hidden.supply).toEqual([]);
      expect(hidden.needs).toEqual([]);
    }
    expect(stats.total!.suppressed).toBe(SuppressionReason.WITHHELD);
    expect(byCountry.get("FR")!.respondents).toBe(12);
    expectMatchesReference(stats, referenceOf(answers, survey, ["country"]));

    // France: 3 of 12 need childcare — too few to show, and "no" would give it back by subtraction.
    const childcare = byCountry.get("FR")!.needs.find((n) => n.needQuestionId === survey.childcareId)!;
    expect(childcare.answered!.count).toBe(12);
    expect(childcare.distribution.case).toBe("boolean");
    if (childcare.distribution.case === "boolean") {
      expect(childcare.distribution.value.yes!.suppressed).toBe(SuppressionReason.BELOW_MINIMUM);
      expect(childcare.distribution.value.no!.suppressed).toBe(SuppressionReason.COMPLEMENTARY);
    }
    expectCsvAgrees(stats, await exportCsv(strict, { groupBy: [D.COUNTRY] }));
  });

  it("the minimum group size comes from POLITY_DISCO_MIN_GROUP_SIZE", async () => {
    const brussels = async (server: TestServer) =>
      (await statsOn(server).getSurveyStatistics({ projectId, surveyProjectId: survey.id, query: { groupBy: [D.CITY] } })).groups.find((g) => g.keys[0]!.value === "gn:2800866")!;
    expect((await brussels(strict)).suppressed).toBe(SuppressionReason.BELOW_MINIMUM);
    const shown = await brussels(open);
    expect(shown.suppressed).toBe(SuppressionReason.UNSPECIFIED);
    expect(shown.respondents).toBe(2);
  });

  it("suppresses everything when the filtered population is under the minimum", async () => {
    const stats = await statsOn(strict).getSurveyStatistics({ projectId, surveyProjectId: survey.id, query: { filter: { countryId: "BE" } } });
    expect(stats.total!.suppressed).toBe(SuppressionReason.BELOW_MINIMUM);
    const csv = await exportCsv(strict, { filter: { countryId: "BE" } });
    expect(csv.trim().split("\r\n")).toEqual(["scope,question_id,question,measure,option,value,unit,suppressed", "total,,,respondents,,,,yes"]);
  });

  it("never lets a text answer out, counts it only, and escapes formulas in the CSV", async () => {
    for (const server of [open, strict]) {
      const query = { groupBy: [D.CITY, D.AGE_RANGE] };
      const stats = await statsOn(server).getSurveyStatistics({ projectId, surveyProjectId: survey.id, query });
      const csv = await exportCsv(server, query);
      expect(JSON.stringify(stats, (_, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain("Secrète");
      expect(csv).not.toContain("Secrète");
      // Under the minimum of 5 every city-and-age group is too small: only the open server shows questions.
      if (server === open) expect(csv).toContain(`,"'=HYPERLINK(""http://x"")",`);
      else expect(csv).not.toContain("HYPERLINK");
      expect(csv.split("\r\n")[0]).toBe("scope,city,city_name,age_range,question_id,question,measure,option,value,unit,suppressed");
    }
    const total = (await statsOn(open).getSurveyStatistics({ projectId, surveyProjectId: survey.id, query: {} })).total!;
    const note = total.needs.find((n) => n.needQuestionId === survey.noteId)!;
    expect(note.answered!.count).toBe(answers.filter((a) => a.accountId && !a.withdrawn && a.note?.includes(SECRET_TEXT)).length);
    expect(note.distribution.case).toBe("text");
  });
});

describe("who may read statistics", () => {
  const ask = (token: string, project = projectId, extra: object = {}) =>
    rejection(statsOn(strict, token).getSurveyStatistics({ projectId: project, surveyProjectId: survey.id, query: {}, ...extra }));

  it("project and platform admins may; an org member and another project's admin may not", async () => {
    expect((await statsOn(strict, await tokenOn(strict, ADMIN)).getSurveyStatistics({ projectId, surveyProjectId: survey.id })).total).toBeDefined();
    expect((await ask(member.token)).code).toBe(Code.PermissionDenied);
    expect((await ask(otherAdmin.token)).code).toBe(Code.PermissionDenied);
    let denied = "";
    try {
      for await (const _ of statsOn(strict, member.token).exportSurveyStatistics({ projectId, surveyProjectId: survey.id })) denied = "streamed";
    } catch (err) {
      denied = String((err as { code?: Code }).code);
    }
    expect(denied).toBe(String(Code.PermissionDenied));
  });

  it("a survey asked for through another project is not found", async () => {
    const err = await ask(otherAdmin.token, otherProjectId);
    expect(err.code).toBe(Code.NotFound);
  });

  it("refuses bad queries precisely", async () => {
    const unknownQuestion = await ask(projectAdmin.token, projectId, { query: { filter: { questionIds: [crypto.randomUUID()] } } });
    expect(unknownQuestion.code).toBe(Code.NotFound);
    const zone = await ask(projectAdmin.token, projectId, { query: { groupBy: [D.DAY], timeZone: "Mars/Olympus_Mons" } });
    expect([zone.code, reasonOf(zone)]).toEqual([Code.InvalidArgument, "UNKNOWN_TIME_ZONE"]);
    const twoTimes = await ask(projectAdmin.token, projectId, { query: { groupBy: [D.DAY, D.MONTH] } });
    expect(twoTimes.code).toBe(Code.InvalidArgument);
    const three = await ask(projectAdmin.token, projectId, { query: { groupBy: [D.COUNTRY, D.CITY, D.AGE_RANGE] } });
    expect(three.code).toBe(Code.InvalidArgument);
    const range = await ask(projectAdmin.token, projectId, { query: { filter: { submittedFrom: timestampFromDate(new Date(2026, 3, 1)), submittedTo: timestampFromDate(new Date(2026, 2, 1)) } } });
    expect(range.code).toBe(Code.InvalidArgument);
  });
});
