// Answer sets in the tables, and as proto. A set's pledges and need answers are replaced as a whole on each
// submission. Answers to retired questions stay stored but are not shown.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  AnswerSetSchema,
  AnswersSchema,
  NeedAnswerSchema,
  PledgeSchema,
  QuestionnaireSchema,
  type AnswerSet as AnswerSetMessage,
  type NeedAnswer as NeedMessage,
} from "../../../clients/src/gen/polity/mod/disco/v1/answers_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { ageRangeOf } from "./age-range.js";
import type { CheckedAnswers } from "./answer-checks.js";
import { AnswerSet, NeedAnswer, NeedQuestion, Pledge, Questionnaire, SupplyQuestion } from "./entities.js";

export type AnswerSetRow = AnswerSet;

/** Replaces the set's pledges and need answers, and its place and age range. */
export async function replaceAnswers(tx: EntityManager, set: AnswerSetRow, answers: CheckedAnswers): Promise<void> {
  Object.assign(set, { placeId: answers.placeId, countryId: answers.countryId, ageRange: answers.ageRange });
  await tx.flush();
  await tx.nativeDelete(Pledge, { answerSetId: set.id });
  await tx.nativeDelete(NeedAnswer, { answerSetId: set.id });
  if (answers.pledges.length > 0) await tx.insertMany(Pledge, answers.pledges.map((p) => ({ answerSetId: set.id, ...p })));
  if (answers.needs.length > 0) await tx.insertMany(NeedAnswer, answers.needs.map((n) => ({ answerSetId: set.id, ...n })));
}

/** Deletes a set with its answers (a claimed set replacing it). */
export async function deleteAnswerSet(tx: EntityManager, setId: string): Promise<void> {
  await tx.nativeDelete(Pledge, { answerSetId: setId });
  await tx.nativeDelete(NeedAnswer, { answerSetId: setId });
  await tx.nativeDelete(AnswerSet, { id: setId });
}

/** Counts in campaigns and statistics: an account's set, not withdrawn. */
export const isCounted = (set: AnswerSetRow) => set.accountId !== null && set.withdrawnAt === null;

function needValue(n: NeedAnswer): NeedMessage["value"] {
  if (n.boolValue !== null && n.boolValue !== undefined) return { case: "boolValue", value: n.boolValue };
  if (n.numberValue !== null && n.numberValue !== undefined) return { case: "numberValue", value: Number(n.numberValue) };
  if (n.choiceValue !== null && n.choiceValue !== undefined) return { case: "choiceValue", value: n.choiceValue };
  return { case: "textValue", value: n.textValue ?? "" };
}

/** Rows grouped by their answer set. */
function bySet<T extends { answerSetId: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.answerSetId);
    if (group) group.push(row);
    else groups.set(row.answerSetId, [row]);
  }
  return groups;
}

/**
 * Sets as proto, in the order given. A questionnaire (its email) is included only when `questionnaires` — for
 * the project's admins, never for the person or anyone else.
 */
export async function answerSetsToProto(em: EntityManager, sets: AnswerSetRow[], options: { questionnaires: boolean }): Promise<AnswerSetMessage[]> {
  const ids = sets.map((s) => s.id);
  if (ids.length === 0) return [];
  const surveyIds = [...new Set(sets.map((s) => s.surveyProjectId))];
  const active = { surveyProjectId: { $in: surveyIds }, deletedAt: null };
  const supplyIds = new Set((await em.find(SupplyQuestion, active, { fields: ["id"] })).map((q) => q.id));
  const needIds = new Set((await em.find(NeedQuestion, active, { fields: ["id"] })).map((q) => q.id));
  const pledges = bySet((await em.find(Pledge, { answerSetId: { $in: ids } })).filter((p) => supplyIds.has(p.supplyQuestionId)));
  const needs = bySet((await em.find(NeedAnswer, { answerSetId: { $in: ids } })).filter((n) => needIds.has(n.needQuestionId)));
  const questionnaireIds = options.questionnaires ? sets.flatMap((s) => (s.questionnaireId ? [s.questionnaireId] : [])) : [];
  const forms = new Map(questionnaireIds.length > 0 ? (await em.find(Questionnaire, { id: { $in: questionnaireIds } })).map((q) => [q.id, q]) : []);
  return sets.map((set) => {
    const form = set.questionnaireId ? forms.get(set.questionnaireId) : undefined;
    return create(AnswerSetSchema, {
      id: set.id,
      surveyId: set.surveyProjectId,
      projectId: set.projectId,
      accountId: set.accountId ?? "",
      answers: create(AnswersSchema, {
        pledges: (pledges.get(set.id) ?? []).map((p) => create(PledgeSchema, { supplyQuestionId: p.supplyQuestionId, amount: Number(p.amount) })),
        needs: (needs.get(set.id) ?? []).map((n) => create(NeedAnswerSchema, { needQuestionId: n.needQuestionId, value: needValue(n) })),
        placeId: set.placeId ?? "",
        ageRange: ageRangeOf(set.ageRange),
      }),
      countryId: set.countryId ?? "",
      submitTime: timestampFromDate(set.submittedAt),
      updateTime: timestampFromDate(set.updatedAt),
      withdrawTime: set.withdrawnAt ? timestampFromDate(set.withdrawnAt) : undefined,
      counted: isCounted(set),
      questionnaire: form
        ? create(QuestionnaireSchema, { email: form.email, displayName: form.displayName, consentToContact: form.consentToContact, claimed: form.claimedAt !== null })
        : undefined,
    });
  });
}
