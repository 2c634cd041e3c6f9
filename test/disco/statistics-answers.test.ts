// Statistics of answers made through the surveys area's own RPCs (SurveyService.CreateSurvey, AnswerService
// SubmitAnswers / WithdrawAnswers / SubmitAnonymousAnswers) on the embedded database (PGlite): 20 people answer,
// one withdraws and one stranger answers anonymously without registering, and GetSurveyStatistics and its CSV
// must count exactly the 19 who remain.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StatisticsDimension as D, StatisticsService, SuppressionReason } from "../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";
import { AgeRange } from "../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { clientFor } from "../support/clients.js";
import { groupKeyOf, referenceOf, shownOf } from "./statistics-reference.js";
import type { StageAnswer, StageSurvey } from "./statistics-stage.js";
import { openSurvey, startSurveyStage, type SurveyStage } from "./surveys-stage.js";

const AGES: Array<[AgeRange, string]> = [
  [AgeRange.AGE_RANGE_18_24, "18-24"], [AgeRange.AGE_RANGE_25_34, "25-34"], [AgeRange.AGE_RANGE_25_34, "25-34"], [AgeRange.AGE_RANGE_65_PLUS, "65plus"],
];

let stage: SurveyStage;
let ids: StageSurvey;
const made: StageAnswer[] = [];

beforeAll(async () => {
  stage = await startSurveyStage("pglite", "statistics_answers");
  const s = await openSurvey(stage);
  ids = { id: s.survey.id, cookId: s.driver, teachId: s.donor, retiredId: "", childcareId: s.parcels, transportId: s.day, kidsId: s.household, noteId: s.other, transportOptions: ["saturday", "sunday"] };
  const people = await Promise.all(Array.from({ length: 20 }, (_, i) => stage.person(`stats-${i}`)));
  for (const [i, person] of people.entries()) {
    const [ageRange, stored] = AGES[i % AGES.length]!;
    const a: StageAnswer = {
      accountId: person.accountId, placeId: null, countryId: null, ageRange: stored, submittedAt: new Date(), withdrawn: i === 7,
      cook: i % 3 ? i + 0.5 : 0, teach: i % 4 === 0 ? 20 : undefined, childcare: i % 5 !== 0, transport: i % 3 ? "saturday" : "sunday",
      kids: i % 2 ? i % 6 : undefined, note: i % 4 === 1 ? "please call me at home" : undefined,
    };
    const needs = [
      { needQuestionId: s.parcels, value: { case: "boolValue" as const, value: a.childcare! } },
      { needQuestionId: s.day, value: { case: "choiceValue" as const, value: a.transport! } },
      ...(a.kids === undefined ? [] : [{ needQuestionId: s.household, value: { case: "numberValue" as const, value: a.kids } }]),
      ...(a.note === undefined ? [] : [{ needQuestionId: s.other, value: { case: "textValue" as const, value: a.note } }]),
    ];
    const pledges = [{ supplyQuestionId: s.driver, amount: a.cook! }, ...(a.teach === undefined ? [] : [{ supplyQuestionId: s.donor, amount: a.teach }])];
    const { answerSet } = await stage.answers(person.token).submitAnswers({ surveyId: s.survey.id, answers: { pledges, needs, ageRange } });
    a.submittedAt = timestampDate(answerSet!.submitTime!);
    if (a.withdrawn) await stage.answers(person.token).withdrawAnswers({ surveyId: s.survey.id });
    made.push(a);
  }
  await stage.answers().submitAnonymousAnswers({
    surveyId: s.survey.id,
    answers: { pledges: [{ supplyQuestionId: s.driver, amount: 500 }], needs: [{ needQuestionId: s.day, value: { case: "choiceValue", value: "sunday" } }], ageRange: AgeRange.AGE_RANGE_18_24 },
    questionnaire: { email: "stranger@example.org", displayName: "Stranger" },
  });
}, 300_000);

afterAll(async () => {
  await stage?.server.stop();
});

describe("statistics of answers made through the API, on PGlite", () => {
  it.each([[[]], [[D.AGE_RANGE]], [[D.DAY]], [[D.AGE_RANGE, D.MONTH]]])("counts the 19 remaining people, grouped by %j, and the CSV agrees", async (groupBy) => {
    const stats = await clientFor(StatisticsService, stage.server.url, stage.projectAdmin.token).getSurveyStatistics({ projectId: stage.projectId, surveyProjectId: ids.id, query: { groupBy } });
    const dimensions = groupBy.map((d) => (d === D.AGE_RANGE ? "age_range" : d === D.DAY ? "day" : "month") as "age_range" | "day" | "month");
    const reference = referenceOf(made, ids, dimensions);
    const groups = [stats.total!, ...stats.groups];
    expect(stats.groups.map(groupKeyOf).sort()).toEqual([...reference.keys()].filter((k) => k !== "*").sort());
    let shownNumbers = 0;
    for (const group of groups) {
      const want = reference.get(groupKeyOf(group))!;
      const shown = shownOf(stats, group);
      if (group === stats.total && groupBy.length === 0) expect(group.respondents).toBe(19);
      if (want.get("|respondents|")! < 5) expect(group.suppressed).toBe(SuppressionReason.BELOW_MINIMUM);
      for (const [cell, value] of shown.numbers) expect(value, `${groupKeyOf(group)} ${cell}`).toBeCloseTo(want.get(cell)!, 6);
      shownNumbers += shown.numbers.size;
    }
    expect(shownNumbers).toBeGreaterThan(5);

    let csv = "";
    const client = clientFor(StatisticsService, stage.server.url, stage.projectAdmin.token);
    for await (const { chunk } of client.exportSurveyStatistics({ projectId: stage.projectId, surveyProjectId: ids.id, query: { groupBy } })) csv += new TextDecoder().decode(chunk);
    const rows: string[][] = parse(csv);
    const head = rows[0]!;
    const shownInCsv = rows.slice(1).filter((r) => r[head.indexOf("suppressed")] === "no").length;
    expect(shownInCsv).toBe(shownNumbers);
    expect(csv).not.toContain("call me");
  });
});
