// Survey projects through the real server: org and project admins manage them (the org is the project's), drafts
// are hidden from everyone else, open surveys are read by anyone, and an update keeps question ids, removes the
// questions left out, and retires (hides but keeps) those already answered.
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NeedKind, SurveyStatus } from "../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { reasonOf, rejection } from "../support/failures.js";
import { openSurvey, startSurveyStage, type SurveyStage } from "./surveys-stage.js";

describe.each(["pglite", "postgres"] as const)("survey projects on %s", (backend) => {
  let stage: SurveyStage;
  beforeAll(async () => {
    stage = await startSurveyStage(backend, `surveys_${backend}`);
  }, 120_000);
  afterAll(async () => {
    await stage?.server.stop();
  });

  it("a project admin creates a survey in the project's org; the org member and the other project's admin may not", async () => {
    const { survey } = await openSurvey(stage, SurveyStatus.DRAFT);
    expect(survey.orgId).toBe(stage.orgId);
    expect(survey.projectId).toBe(stage.projectId);
    expect(survey.status).toBe(SurveyStatus.DRAFT);
    expect(survey.category).toBe("food");
    expect(survey.createdBy).toBe(stage.projectAdmin.accountId);
    expect(survey.supplyQuestions.map((q) => [q.name, q.unit])).toEqual([["Driver", "hours"], ["Donor", "euros"]]);
    expect(survey.needQuestions.map((q) => q.kind)).toEqual([NeedKind.BOOLEAN, NeedKind.NUMBER, NeedKind.TEXT, NeedKind.CHOICE]);
    expect(survey.needQuestions[3]!.options).toEqual(["saturday", "sunday"]);

    const request = { projectId: stage.projectId, title: "Not mine" };
    expect((await rejection(stage.surveys(stage.orgMember.token).createSurvey(request))).code).toBe(Code.PermissionDenied);
    expect((await rejection(stage.surveys(stage.otherAdmin.token).createSurvey(request))).code).toBe(Code.PermissionDenied);
    expect((await rejection(stage.surveys().createSurvey(request))).code).toBe(Code.Unauthenticated);
    // The superadmin may, and the org still comes from the project.
    const { survey: rootSurvey } = await stage.surveys(stage.root.token).createSurvey({ projectId: stage.otherProjectId, title: "Root's" });
    expect(rootSurvey!.orgId).toBe(stage.orgId);
    expect(rootSurvey!.status).toBe(SurveyStatus.DRAFT);
  });

  it("a project that does not exist is NOT_FOUND", async () => {
    const missing = await rejection(stage.surveys(stage.root.token).createSurvey({ projectId: crypto.randomUUID(), title: "Nowhere" }));
    expect(missing.code).toBe(Code.NotFound);
  });

  it("a draft is seen only by its managers; an open survey by anyone, signed in or not", async () => {
    const { survey } = await openSurvey(stage, SurveyStatus.DRAFT);
    const asAdmin = await stage.surveys(stage.projectAdmin.token).getSurvey({ surveyId: survey.id });
    expect(asAdmin.survey!.title).toBe("What can you give?");
    for (const token of [undefined, stage.orgMember.token, stage.otherAdmin.token]) {
      expect((await rejection(stage.surveys(token).getSurvey({ surveyId: survey.id }))).code).toBe(Code.NotFound);
      const listed = await stage.surveys(token).listSurveys({ projectId: stage.projectId });
      expect(listed.surveys.map((s) => s.id)).not.toContain(survey.id);
    }
    expect((await stage.surveys(stage.projectAdmin.token).listSurveys({ projectId: stage.projectId })).surveys.map((s) => s.id)).toContain(survey.id);

    await stage.surveys(stage.projectAdmin.token).updateSurvey({ projectId: stage.projectId, surveyId: survey.id, status: SurveyStatus.OPEN });
    const anonymous = await stage.surveys().getSurvey({ surveyId: survey.id });
    expect(anonymous.survey!.needQuestions).toHaveLength(4);
    const listed = await stage.surveys().listSurveys({ projectId: stage.projectId, status: SurveyStatus.OPEN });
    expect(listed.surveys.map((s) => s.id)).toContain(survey.id);
    expect(listed.surveys.every((s) => s.status === SurveyStatus.OPEN)).toBe(true);
    // Asking for drafts alone, a stranger gets none at all.
    expect((await stage.surveys().listSurveys({ projectId: stage.projectId, status: SurveyStatus.DRAFT })).surveys).toEqual([]);
  });

  it("lists page through a project's surveys in creation order", async () => {
    const admin = stage.surveys(stage.otherAdmin.token);
    const made: string[] = [];
    for (const title of ["one", "two", "three"]) made.push((await admin.createSurvey({ projectId: stage.otherProjectId, title, status: SurveyStatus.OPEN })).survey!.id);
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await admin.listSurveys({ projectId: stage.otherProjectId, pageSize: 2, pageToken });
      seen.push(...page.surveys.map((s) => s.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen.filter((id) => made.includes(id))).toEqual(made);
    expect(reasonOf(await rejection(admin.listSurveys({ projectId: stage.otherProjectId, pageToken: "bogus" })))).toBe("INVALID_PAGE_TOKEN");
  });

  it("an update keeps question ids, removes unanswered questions left out and retires answered ones", async () => {
    const { survey, driver, donor, parcels, household, other, day } = await openSurvey(stage);
    const person = await stage.person("answerer");
    await stage.answers(person.token).submitAnswers({
      surveyId: survey.id,
      answers: { pledges: [{ supplyQuestionId: driver, amount: 3 }], needs: [{ needQuestionId: day, value: { case: "choiceValue", value: "sunday" } }, { needQuestionId: parcels, value: { case: "boolValue", value: true } }] },
    });
    const admin = stage.surveys(stage.projectAdmin.token);
    const { survey: updated } = await admin.updateSurvey({
      projectId: stage.projectId, surveyId: survey.id, title: "Renamed",
      questions: {
        // Donor (no pledges) is dropped; Driver (pledged) is dropped too, but retired; a new role is added.
        supplyQuestions: [{ name: "Cook", unit: "meals" }],
        needQuestions: [
          { id: day, group: "Other", prompt: "Preferred day of the week", kind: NeedKind.CHOICE, options: ["saturday", "sunday", "monday"], required: true },
          { id: household, group: "Household", prompt: "People at home", kind: NeedKind.NUMBER },
        ],
      },
    });
    expect(updated!.title).toBe("Renamed");
    expect(updated!.supplyQuestions.map((q) => q.name)).toEqual(["Cook"]);
    expect(updated!.supplyQuestions[0]!.id).not.toBe(driver);
    expect(updated!.needQuestions.map((q) => q.id)).toEqual([day, household]);
    expect(updated!.needQuestions[0]!.options).toEqual(["saturday", "sunday", "monday"]);
    const shown = [...updated!.supplyQuestions, ...updated!.needQuestions].map((q) => q.id);
    expect(shown.filter((id) => [donor, parcels, other].includes(id))).toEqual([]);

    // The person's answers to retired questions are kept but no longer shown; the kept question's answer stays.
    const mine = await stage.answers(person.token).getMyAnswers({ surveyId: survey.id });
    expect(mine.answerSet!.answers!.pledges).toEqual([]);
    expect(mine.answerSet!.answers!.needs.map((n) => n.needQuestionId)).toEqual([day]);

    // A retired or foreign question id cannot come back.
    const unknown = await rejection(admin.updateSurvey({ projectId: stage.projectId, surveyId: survey.id, questions: { supplyQuestions: [{ id: driver, name: "Driver", unit: "hours" }] } }));
    expect([unknown.code, reasonOf(unknown)]).toEqual([Code.InvalidArgument, "UNKNOWN_QUESTION"]);
    // An answered need cannot change kind.
    const kind = await rejection(admin.updateSurvey({ projectId: stage.projectId, surveyId: survey.id, questions: { needQuestions: [{ id: day, prompt: "Day", kind: NeedKind.TEXT }] } }));
    expect([kind.code, reasonOf(kind)]).toEqual([Code.FailedPrecondition, "QUESTION_ANSWERED"]);
  });

  it("refuses malformed surveys with precise reasons", async () => {
    const admin = stage.surveys(stage.projectAdmin.token);
    const choice = await rejection(admin.createSurvey({ projectId: stage.projectId, title: "x", questions: { needQuestions: [{ prompt: "Pick", kind: NeedKind.CHOICE, options: ["only"] }] } }));
    expect([choice.code, reasonOf(choice)]).toEqual([Code.InvalidArgument, "CHOICE_OPTIONS"]);
    const stray = await rejection(admin.createSurvey({ projectId: stage.projectId, title: "x", questions: { needQuestions: [{ prompt: "Yes?", kind: NeedKind.BOOLEAN, options: ["a", "b"] }] } }));
    expect(reasonOf(stray)).toBe("CHOICE_OPTIONS");
    const noKind = await rejection(admin.createSurvey({ projectId: stage.projectId, title: "x", questions: { needQuestions: [{ prompt: "?" }] } }));
    expect(noKind.code).toBe(Code.InvalidArgument);
    const category = await rejection(admin.createSurvey({ projectId: stage.projectId, title: "x", category: "Not A Slug" }));
    expect(category.code).toBe(Code.InvalidArgument);
    const newWithId = await rejection(admin.createSurvey({ projectId: stage.projectId, title: "x", questions: { supplyQuestions: [{ id: crypto.randomUUID(), name: "a", unit: "h" }] } }));
    expect(reasonOf(newWithId)).toBe("UNKNOWN_QUESTION");
  });

  it("a survey named with another project is NOT_FOUND; a deleted survey is gone for everyone", async () => {
    const { survey } = await openSurvey(stage);
    const wrong = await rejection(stage.surveys(stage.otherAdmin.token).updateSurvey({ projectId: stage.otherProjectId, surveyId: survey.id, title: "Mine now" }));
    expect(wrong.code).toBe(Code.NotFound);
    expect((await rejection(stage.surveys(stage.otherAdmin.token).deleteSurvey({ projectId: stage.otherProjectId, surveyId: survey.id }))).code).toBe(Code.NotFound);
    expect((await rejection(stage.surveys(stage.otherAdmin.token).deleteSurvey({ projectId: stage.projectId, surveyId: survey.id }))).code).toBe(Code.PermissionDenied);

    await stage.surveys(stage.projectAdmin.token).deleteSurvey({ projectId: stage.projectId, surveyId: survey.id });
    expect((await rejection(stage.surveys(stage.projectAdmin.token).getSurvey({ surveyId: survey.id }))).code).toBe(Code.NotFound);
    expect((await stage.surveys(stage.projectAdmin.token).listSurveys({ projectId: stage.projectId })).surveys.map((s) => s.id)).not.toContain(survey.id);
    const person = await stage.person("late");
    const late = await rejection(stage.answers(person.token).submitAnswers({ surveyId: survey.id, answers: {} }));
    expect(late.code).toBe(Code.NotFound);
  });
});
