// Survey answers through the real server: one set per person per survey (a second submit updates it), answers
// checked against the questions with precise reasons, withdraw and answer again, closed surveys refusing, and
// privacy — a person sees only their own set, the project's admins every set, nobody else any.
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgeRange, SurveyStatus } from "../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { reasonOf, rejection } from "../support/failures.js";
import { openSurvey, startSurveyStage, type SurveyStage } from "./surveys-stage.js";

const choice = (needQuestionId: string, value: string) => ({ needQuestionId, value: { case: "choiceValue" as const, value } });

describe.each(["pglite", "postgres"] as const)("survey answers on %s", (backend) => {
  let stage: SurveyStage;
  beforeAll(async () => {
    stage = await startSurveyStage(backend, `answers_${backend}`);
  }, 120_000);
  afterAll(async () => {
    await stage?.server.stop();
  });

  it("one set per person: a second submit replaces the first; withdraw stops it counting; answering again counts again", async () => {
    const s = await openSurvey(stage);
    const ada = await stage.person("ada");
    const answers = stage.answers(ada.token);
    const first = await answers.submitAnswers({
      surveyId: s.survey.id,
      answers: {
        pledges: [{ supplyQuestionId: s.driver, amount: 4.5 }, { supplyQuestionId: s.donor, amount: 20 }],
        needs: [choice(s.day, "saturday"), { needQuestionId: s.parcels, value: { case: "boolValue", value: false } }, { needQuestionId: s.household, value: { case: "numberValue", value: 3 } }, { needQuestionId: s.other, value: { case: "textValue", value: "gluten free" } }],
        ageRange: AgeRange.AGE_RANGE_25_34,
      },
    });
    expect(first.answerSet!.accountId).toBe(ada.accountId);
    expect(first.answerSet!.counted).toBe(true);
    expect(first.answerSet!.answers!.pledges.map((p) => p.amount)).toEqual([4.5, 20]);
    expect(first.answerSet!.answers!.ageRange).toBe(AgeRange.AGE_RANGE_25_34);

    const second = await answers.submitAnswers({ surveyId: s.survey.id, answers: { pledges: [{ supplyQuestionId: s.driver, amount: 2 }], needs: [choice(s.day, "sunday")] } });
    expect(second.answerSet!.id).toBe(first.answerSet!.id);
    const mine = (await answers.getMyAnswers({ surveyId: s.survey.id })).answerSet!;
    expect(mine.answers!.pledges.map((p) => [p.supplyQuestionId, p.amount])).toEqual([[s.driver, 2]]);
    expect(mine.answers!.needs.map((n) => n.value.value)).toEqual(["sunday"]);
    expect(mine.answers!.ageRange).toBe(AgeRange.AGE_RANGE_UNSPECIFIED);

    const withdrawn = (await answers.withdrawAnswers({ surveyId: s.survey.id })).answerSet!;
    expect(withdrawn.counted).toBe(false);
    expect(withdrawn.withdrawTime).toBeDefined();
    // Twice is a no-op.
    expect((await answers.withdrawAnswers({ surveyId: s.survey.id })).answerSet!.withdrawTime).toEqual(withdrawn.withdrawTime);
    const counted = (await stage.answers(stage.projectAdmin.token).listAnswers({ projectId: stage.projectId, surveyId: s.survey.id, countedOnly: true })).answerSets;
    expect(counted).toEqual([]);

    const again = (await answers.submitAnswers({ surveyId: s.survey.id, answers: { needs: [choice(s.day, "saturday")] } })).answerSet!;
    expect(again.id).toBe(first.answerSet!.id);
    expect(again.counted).toBe(true);
    expect(again.withdrawTime).toBeUndefined();
    const all = (await stage.answers(stage.projectAdmin.token).listAnswers({ projectId: stage.projectId, surveyId: s.survey.id })).answerSets;
    expect(all.map((a) => a.accountId)).toEqual([ada.accountId]);
  });

  it("refuses answers that do not fit the questions, each with its reason, and writes nothing", async () => {
    const s = await openSurvey(stage);
    const bob = await stage.person("bob");
    const answers = stage.answers(bob.token);
    const cases: Array<[string, Parameters<typeof answers.submitAnswers>[0]["answers"]]> = [
      ["UNKNOWN_QUESTION", { pledges: [{ supplyQuestionId: crypto.randomUUID(), amount: 1 }], needs: [choice(s.day, "sunday")] }],
      ["UNKNOWN_QUESTION", { needs: [choice(s.day, "sunday"), { needQuestionId: s.driver, value: { case: "boolValue", value: true } }] }],
      ["NEED_REQUIRED", { pledges: [{ supplyQuestionId: s.driver, amount: 1 }] }],
      ["NEED_KIND_MISMATCH", { needs: [choice(s.day, "sunday"), { needQuestionId: s.parcels, value: { case: "textValue", value: "yes" } }] }],
      ["NEED_KIND_MISMATCH", { needs: [{ needQuestionId: s.day, value: { case: "boolValue", value: true } }] }],
      ["UNKNOWN_CHOICE", { needs: [choice(s.day, "friday")] }],
      ["AMOUNT_PRECISION", { pledges: [{ supplyQuestionId: s.driver, amount: 1.005 }], needs: [choice(s.day, "sunday")] }],
      ["DUPLICATE_ANSWER", { pledges: [{ supplyQuestionId: s.driver, amount: 1 }, { supplyQuestionId: s.driver, amount: 2 }], needs: [choice(s.day, "sunday")] }],
      ["DUPLICATE_ANSWER", { needs: [choice(s.day, "sunday"), choice(s.day.toUpperCase(), "saturday")] }],
    ];
    for (const [reason, bad] of cases) {
      const error = await rejection(answers.submitAnswers({ surveyId: s.survey.id, answers: bad }));
      expect([error.code, reasonOf(error)], JSON.stringify(bad, (_k, v) => (typeof v === "bigint" ? String(v) : v))).toEqual([Code.InvalidArgument, reason]);
    }
    const negative = await rejection(answers.submitAnswers({ surveyId: s.survey.id, answers: { pledges: [{ supplyQuestionId: s.driver, amount: -1 }], needs: [choice(s.day, "sunday")] } }));
    expect(negative.code).toBe(Code.InvalidArgument);
    const place = await rejection(answers.submitAnswers({ surveyId: s.survey.id, answers: { needs: [choice(s.day, "sunday")], placeId: "no place!" } }));
    expect(place.code).toBe(Code.InvalidArgument);
    expect(reasonOf(await rejection(answers.getMyAnswers({ surveyId: s.survey.id })))).toBe("NO_ANSWERS");
  });

  it("only closed surveys refuse answers; a draft is NOT_FOUND to everyone but its managers", async () => {
    const s = await openSurvey(stage);
    const cy = await stage.person("cy");
    const answer = { surveyId: s.survey.id, answers: { needs: [choice(s.day, "sunday")] } };
    await stage.surveys(stage.projectAdmin.token).updateSurvey({ projectId: stage.projectId, surveyId: s.survey.id, status: SurveyStatus.CLOSED });
    const closed = await rejection(stage.answers(cy.token).submitAnswers(answer));
    expect([closed.code, reasonOf(closed)]).toEqual([Code.FailedPrecondition, "SURVEY_CLOSED"]);
    const closedAnonymously = await rejection(stage.answers().submitAnonymousAnswers({ ...answer, questionnaire: { email: "x@example.org", displayName: "X" } }));
    expect(reasonOf(closedAnonymously)).toBe("SURVEY_CLOSED");

    await stage.surveys(stage.projectAdmin.token).updateSurvey({ projectId: stage.projectId, surveyId: s.survey.id, status: SurveyStatus.DRAFT });
    expect((await rejection(stage.answers(cy.token).submitAnswers(answer))).code).toBe(Code.NotFound);
    // Its managers may try their draft out.
    expect((await stage.answers(stage.projectAdmin.token).submitAnswers(answer)).answerSet!.accountId).toBe(stage.projectAdmin.accountId);
  });

  it("privacy: nobody but the person and the project's admins sees an answer set", async () => {
    const s = await openSurvey(stage);
    const dee = await stage.person("dee");
    const eve = await stage.person("eve");
    const { answerSet } = await stage.answers(dee.token).submitAnswers({ surveyId: s.survey.id, answers: { pledges: [{ supplyQuestionId: s.donor, amount: 50 }], needs: [choice(s.day, "sunday")] } });
    // Eve has no answers of her own and cannot reach Dee's.
    expect(reasonOf(await rejection(stage.answers(eve.token).getMyAnswers({ surveyId: s.survey.id })))).toBe("NO_ANSWERS");
    for (const token of [eve.token, stage.orgMember.token, undefined]) {
      const list = await rejection(stage.answers(token).listAnswers({ projectId: stage.projectId, surveyId: s.survey.id }));
      expect([Code.PermissionDenied, Code.Unauthenticated]).toContain(list.code);
      const one = await rejection(stage.answers(token).getAnswerSet({ projectId: stage.projectId, answerSetId: answerSet!.id }));
      expect([Code.PermissionDenied, Code.Unauthenticated]).toContain(one.code);
    }
    // Another project's admin, naming their own project, finds nothing.
    const other = stage.answers(stage.otherAdmin.token);
    expect((await rejection(other.listAnswers({ projectId: stage.otherProjectId, surveyId: s.survey.id }))).code).toBe(Code.NotFound);
    expect((await rejection(other.getAnswerSet({ projectId: stage.otherProjectId, answerSetId: answerSet!.id }))).code).toBe(Code.NotFound);
    // The project's admin sees it.
    const seen = await stage.answers(stage.projectAdmin.token).getAnswerSet({ projectId: stage.projectId, answerSetId: answerSet!.id });
    expect(seen.answerSet!.answers!.pledges[0]!.amount).toBe(50);
  });
});
