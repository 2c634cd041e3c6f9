// Survey projects of a sys project and the answers people give them. Campaigns and statistics read these tables
// with SQL, so their names and columns are a contract: change them only with a new migration.
// A set counts (progress, statistics) only when it belongs to an account and is not withdrawn: an anonymous
// questionnaire's set waits until its person registered and claimed it, so a stranger cannot stuff pledges.
import { defineEntity, p, type InferEntity } from "@mikro-orm/core";

export const SURVEY_STATUSES = ["draft", "open", "closed"] as const;
export type SurveyStatus = (typeof SURVEY_STATUSES)[number];
export const NEED_KINDS = ["boolean", "text", "number", "choice"] as const;
export type NeedKind = (typeof NEED_KINDS)[number];
export const AGE_RANGES = ["under18", "18-24", "25-34", "35-44", "45-54", "55-64", "65plus"] as const;
export type AgeRangeValue = (typeof AGE_RANGES)[number];

export const SurveyProject = defineEntity({
  name: "DiscoSurveyProject",
  tableName: "disco_survey_projects",
  indexes: [{ properties: ["projectId", "createdAt", "id"] }],
  properties: {
    id: p.uuid().primary(),
    orgId: p.uuid().index(),
    projectId: p.uuid(),
    title: p.string().length(200),
    description: p.text(),
    category: p.string().length(32),
    status: p.string().length(16).$type<SurveyStatus>(),
    createdBy: p.uuid(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    deletedAt: p.datetime().nullable(),
  },
});
export type SurveyProject = InferEntity<typeof SurveyProject>;

/** A support role: what a person can give, in a unit ("hours"), as a pledged amount. */
export const SupplyQuestion = defineEntity({
  name: "DiscoSupplyQuestion",
  tableName: "disco_supply_questions",
  properties: {
    id: p.uuid().primary(),
    surveyProjectId: p.uuid().index(),
    position: p.integer(),
    name: p.string().length(200),
    description: p.text(),
    unit: p.string().length(32),
    deletedAt: p.datetime().nullable(),
  },
});
export type SupplyQuestion = InferEntity<typeof SupplyQuestion>;

/** A user need: a typed question in a group. */
export const NeedQuestion = defineEntity({
  name: "DiscoNeedQuestion",
  tableName: "disco_need_questions",
  properties: {
    id: p.uuid().primary(),
    surveyProjectId: p.uuid().index(),
    position: p.integer(),
    groupName: p.string().length(100),
    prompt: p.string().length(500),
    kind: p.string().length(16).$type<NeedKind>(),
    options: p.array().$type<string[]>(),
    required: p.boolean(),
    deletedAt: p.datetime().nullable(),
  },
});
export type NeedQuestion = InferEntity<typeof NeedQuestion>;

/** The sign-up questionnaire of an anonymous answer set; only its claim token's hash is kept. */
export const Questionnaire = defineEntity({
  name: "DiscoQuestionnaire",
  tableName: "disco_questionnaires",
  properties: {
    id: p.uuid().primary(),
    surveyProjectId: p.uuid().index(),
    email: p.string().length(254),
    displayName: p.string().length(100),
    consentToContact: p.boolean(),
    claimTokenHash: p.string().length(64).unique(),
    createdAt: p.datetime(),
    claimedAt: p.datetime().nullable(),
    claimedBy: p.uuid().nullable(),
  },
});
export type Questionnaire = InferEntity<typeof Questionnaire>;

export const AnswerSet = defineEntity({
  name: "DiscoAnswerSet",
  tableName: "disco_answer_sets",
  indexes: [{ properties: ["surveyProjectId", "submittedAt", "id"] }, { properties: ["projectId"] }],
  // One set per person per survey; anonymous sets (no account yet) are any number.
  uniques: [
    {
      name: "disco_answer_sets_survey_account_unique",
      expression: `create unique index "disco_answer_sets_survey_account_unique" on "disco_answer_sets" ("survey_project_id", "account_id") where "account_id" is not null`,
    },
  ],
  properties: {
    id: p.uuid().primary(),
    surveyProjectId: p.uuid(),
    orgId: p.uuid(),
    projectId: p.uuid(),
    accountId: p.uuid().nullable(),
    questionnaireId: p.uuid().nullable().index(),
    placeId: p.string().length(40).nullable(),
    countryId: p.string().length(2).nullable(),
    ageRange: p.string().length(8).$type<AgeRangeValue>().nullable(),
    submittedAt: p.datetime(),
    updatedAt: p.datetime(),
    withdrawnAt: p.datetime().nullable(),
  },
});
export type AnswerSet = InferEntity<typeof AnswerSet>;

export const Pledge = defineEntity({
  name: "DiscoPledge",
  tableName: "disco_pledges",
  properties: {
    answerSetId: p.uuid().primary(),
    supplyQuestionId: p.uuid().primary().index(),
    amount: p.decimal("string").precision(12).scale(2),
  },
});
export type Pledge = InferEntity<typeof Pledge>;

export const NeedAnswer = defineEntity({
  name: "DiscoNeedAnswer",
  tableName: "disco_need_answers",
  properties: {
    answerSetId: p.uuid().primary(),
    needQuestionId: p.uuid().primary().index(),
    boolValue: p.boolean().nullable(),
    textValue: p.text().nullable(),
    numberValue: p.double().nullable(),
    choiceValue: p.string().length(200).nullable(),
  },
});
export type NeedAnswer = InferEntity<typeof NeedAnswer>;

export const surveyEntities = [SurveyProject, SupplyQuestion, NeedQuestion, Questionnaire, AnswerSet, Pledge, NeedAnswer];
