// Survey rows ↔ proto, and the reads every survey and answer handler starts from.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  NeedKind,
  NeedQuestionSchema,
  SupplyQuestionSchema,
  SurveySchema,
  SurveyStatus,
  type Survey,
} from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { notFound } from "../../../sys/core/errors.js";
import { isUuid } from "../../../sys/core/sql.js";
import { FOR_UPDATE } from "../../../sys/core/write-transaction.js";
import { NeedQuestion, SupplyQuestion, SurveyProject, type NeedKind as NeedKindValue, type SurveyStatus as StatusValue } from "./entities.js";

export const STATUS_TO_PROTO: Record<StatusValue, SurveyStatus> = { draft: SurveyStatus.DRAFT, open: SurveyStatus.OPEN, closed: SurveyStatus.CLOSED };
export const STATUS_OF: Partial<Record<SurveyStatus, StatusValue>> = { [SurveyStatus.DRAFT]: "draft", [SurveyStatus.OPEN]: "open", [SurveyStatus.CLOSED]: "closed" };
export const KIND_TO_PROTO: Record<NeedKindValue, NeedKind> = { boolean: NeedKind.BOOLEAN, text: NeedKind.TEXT, number: NeedKind.NUMBER, choice: NeedKind.CHOICE };
export const KIND_OF: Partial<Record<NeedKind, NeedKindValue>> = { [NeedKind.BOOLEAN]: "boolean", [NeedKind.TEXT]: "text", [NeedKind.NUMBER]: "number", [NeedKind.CHOICE]: "choice" };

export type SurveyRow = SurveyProject;

/** A survey's questions still asked (retired ones left out), in order. */
export interface QuestionRows {
  supply: SupplyQuestion[];
  needs: NeedQuestion[];
}

/** A survey that was not deleted, locked for the transaction when `lock`; NOT_FOUND otherwise. */
export async function surveyRow(em: EntityManager, surveyId: string, lock = false): Promise<SurveyRow> {
  const row = isUuid(surveyId) ? await em.findOne(SurveyProject, { id: surveyId, deletedAt: null }, lock ? FOR_UPDATE : {}) : null;
  if (!row) throw notFound("survey", surveyId);
  return row;
}

/** As surveyRow, and NOT_FOUND as well when the survey is not the project's (a request names both). */
export async function projectSurveyRow(em: EntityManager, projectId: string, surveyId: string, lock = false): Promise<SurveyRow> {
  const row = await surveyRow(em, surveyId, lock);
  if (row.projectId !== projectId) throw notFound("survey", surveyId);
  return row;
}

/** The active questions of each survey, by survey id. */
export async function questionsOf(em: EntityManager, surveyIds: string[]): Promise<Map<string, QuestionRows>> {
  const out = new Map<string, QuestionRows>(surveyIds.map((id) => [id, { supply: [], needs: [] }]));
  if (surveyIds.length === 0) return out;
  const where = { surveyProjectId: { $in: surveyIds }, deletedAt: null };
  const order = { orderBy: { position: "asc" as const } };
  for (const q of await em.find(SupplyQuestion, where, order)) out.get(q.surveyProjectId)!.supply.push(q);
  for (const q of await em.find(NeedQuestion, where, order)) out.get(q.surveyProjectId)!.needs.push(q);
  return out;
}

export function surveyToProto(row: SurveyRow, questions: QuestionRows): Survey {
  return create(SurveySchema, {
    id: row.id,
    orgId: row.orgId,
    projectId: row.projectId,
    title: row.title,
    description: row.description,
    category: row.category,
    status: STATUS_TO_PROTO[row.status],
    supplyQuestions: questions.supply.map((q) => create(SupplyQuestionSchema, { id: q.id, name: q.name, description: q.description, unit: q.unit })),
    needQuestions: questions.needs.map((q) =>
      create(NeedQuestionSchema, { id: q.id, group: q.groupName, prompt: q.prompt, kind: KIND_TO_PROTO[q.kind], options: q.options, required: q.required }),
    ),
    createdBy: row.createdBy,
    createTime: timestampFromDate(row.createdAt),
    updateTime: timestampFromDate(row.updatedAt),
  });
}

/** Surveys with their questions, as proto, in the order given. */
export async function surveysToProto(em: EntityManager, rows: SurveyRow[]): Promise<Survey[]> {
  const questions = await questionsOf(em, rows.map((r) => r.id));
  return rows.map((r) => surveyToProto(r, questions.get(r.id)!));
}
