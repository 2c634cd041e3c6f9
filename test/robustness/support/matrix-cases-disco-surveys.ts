// Authorization-matrix cases for SurveyService and AnswerService (to be merged into CASES of matrix-cases.ts).
// Survey writes name the project ("project/{project_id}", disco.survey.manage: org admins and the project's
// admins); GetSurvey and ListSurveys are public (a draft is NOT_FOUND, and left out of lists, for all but its
// managers: test/disco/surveys.test.ts). Answering, one's own answers and claiming need a signed-in, verified
// person; anonymous answers are public (metered per address: an allowed call may be RESOURCE_EXHAUSTED, which
// is not a refusal). ListAnswers and GetAnswerSet name the project (disco.answer.read) and aim at a real answer
// set, so an allowed call returns it and a refused one must not (privacy: test/disco/answers.test.ts).
// Surveys are made by the superadmin: one open survey per org (with the superadmin's own answer set) for the
// reads and answers, a fresh draft per cell for the update and the delete.
import { AnswerService } from "../../../clients/src/gen/polity/mod/disco/v1/answers_pb.js";
import { NeedKind, SurveyService, SurveyStatus } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { clientFor } from "../../support/clients.js";
import type { Case, Cell } from "./matrix-cases.js";

const surveys = (c: Cell) => clientFor(SurveyService, c.fx.url, c.fx.as("superadmin"));

async function draftOf(c: Cell, title: string): Promise<string> {
  return (await surveys(c).createSurvey({ projectId: c.org.projectId, title })).survey!.id;
}

interface Published {
  surveyId: string;
  roleId: string;
  answerSetId: string;
}

// Per fixture org (keyed by its id, so two fixtures never share one).
const published = new Map<string, Promise<Published>>();
function publishedOf(c: Cell): Promise<Published> {
  let found = published.get(c.org.id);
  if (!found) {
    found = (async () => {
      const { survey } = await surveys(c).createSurvey({
        projectId: c.org.projectId, title: "Matrix survey", status: SurveyStatus.OPEN, category: "matrix",
        questions: { supplyQuestions: [{ name: "Helper", unit: "hours" }], needQuestions: [{ prompt: "Need a ride?", kind: NeedKind.BOOLEAN }] },
      });
      const roleId = survey!.supplyQuestions[0]!.id;
      const { answerSet } = await clientFor(AnswerService, c.fx.url, c.fx.as("superadmin")).submitAnswers({
        surveyId: survey!.id, answers: { pledges: [{ supplyQuestionId: roleId, amount: 2 }] },
      });
      return { surveyId: survey!.id, roleId, answerSetId: answerSet!.id };
    })();
    published.set(c.org.id, found);
  }
  return found;
}

const answers = (p: Published) => ({ pledges: [{ supplyQuestionId: p.roleId, amount: 1 }] });

export const DISCO_SURVEY_CASES: Record<string, Case> = {
  "SurveyService/CreateSurvey": { variants: { default: (c) => ({ projectId: c.org.projectId, title: "Matrix draft" }) } },
  "SurveyService/GetSurvey": { variants: { default: async (c) => ({ surveyId: (await publishedOf(c)).surveyId }) } },
  "SurveyService/ListSurveys": { variants: { default: (c) => ({ projectId: c.org.projectId }) } },
  "SurveyService/UpdateSurvey": { variants: { default: async (c) => ({ projectId: c.org.projectId, surveyId: await draftOf(c, "Matrix update"), description: c.who.name }) } },
  "SurveyService/DeleteSurvey": { late: true, variants: { default: async (c) => ({ projectId: c.org.projectId, surveyId: await draftOf(c, "Matrix doomed") }) } },

  "AnswerService/SubmitAnswers": { variants: { default: async (c) => { const p = await publishedOf(c); return { surveyId: p.surveyId, answers: answers(p) }; } } },
  "AnswerService/GetMyAnswers": { variants: { default: async (c) => ({ surveyId: (await publishedOf(c)).surveyId }) } },
  "AnswerService/WithdrawAnswers": { late: true, variants: { default: async (c) => ({ surveyId: (await publishedOf(c)).surveyId }) } },
  "AnswerService/SubmitAnonymousAnswers": {
    variants: {
      default: async (c) => {
        const p = await publishedOf(c);
        return { surveyId: p.surveyId, answers: answers(p), questionnaire: { email: "matrix-anonymous@example.org", displayName: "Matrix" } };
      },
    },
  },
  // A token nobody was given: allowed callers get NOT_FOUND, CLAIM_TOKEN_UNKNOWN.
  "AnswerService/ClaimAnswers": { orgless: ["default"], variants: { default: () => ({ claimToken: `pdc_${crypto.randomUUID().replace(/-/g, "")}x` }) } },
  "AnswerService/ListAnswers": { variants: { default: async (c) => ({ projectId: c.org.projectId, surveyId: (await publishedOf(c)).surveyId }) } },
  "AnswerService/GetAnswerSet": { variants: { default: async (c) => ({ projectId: c.org.projectId, answerSetId: (await publishedOf(c)).answerSetId }) } },
};
