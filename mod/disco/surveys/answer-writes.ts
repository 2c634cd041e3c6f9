// Saving answers: the survey must be visible to the caller and not closed, the answers must fit its questions,
// and a transaction that changes counted pledges tells the other areas (campaign progress) before it commits.
import type { HandlerContext } from "@connectrpc/connect";
import type { Answers } from "../../../clients/src/gen/polity/mod/disco/v1/answers_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { failedPrecondition } from "../../../sys/core/errors.js";
import { isUniqueViolation } from "../../../sys/core/sql.js";
import { FOR_UPDATE, writeTransaction } from "../../../sys/core/write-transaction.js";
import type { DiscoDeps } from "../deps.js";
import { checkAnswers, type CheckedAnswers } from "./answer-checks.js";
import { replaceAnswers, type AnswerSetRow } from "./answer-store.js";
import { AnswerSet } from "./entities.js";
import { visibleSurvey } from "./survey-access.js";
import { questionsOf, surveyRow, type SurveyRow } from "./survey-rows.js";

/** Whose pledges a set's survey moves (for deps.pledgesChanged). */
export const changeOf = (survey: { orgId: string; projectId: string; id: string }) => ({ orgId: survey.orgId, projectId: survey.projectId, surveyProjectId: survey.id });

/**
 * Runs `write` in a transaction with the survey locked and the answers checked against its questions. Drafts
 * are NOT_FOUND to whoever may not manage them (asked before the transaction: it is a call to sys), closed
 * surveys FAILED_PRECONDITION SURVEY_CLOSED.
 */
export async function writeAnswers<T>(
  deps: DiscoDeps,
  ctx: HandlerContext,
  surveyId: string,
  answers: Answers,
  write: (tx: EntityManager, survey: SurveyRow, checked: CheckedAnswers) => Promise<T>,
): Promise<T> {
  await visibleSurvey(deps, ctx, await surveyRow(deps.db.em(), surveyId));
  const run = () =>
    writeTransaction(deps.db, async (tx) => {
      const survey = await surveyRow(tx, surveyId, true);
      if (survey.status === "closed") throw failedPrecondition("SURVEY_CLOSED", "this survey is closed and takes no more answers");
      const questions = (await questionsOf(tx, [survey.id])).get(survey.id)!;
      return write(tx, survey, await checkAnswers(deps, answers, questions));
    });
  try {
    return await run();
  } catch (error) {
    // Two first submissions of one person at once: the loser finds the winner's set and updates it.
    if (!isUniqueViolation(error)) throw error;
    return run();
  }
}

/** The caller's set of a survey (withdrawn or not), locked when `lock`. */
export async function ownSet(em: EntityManager, surveyId: string, accountId: string, lock = false): Promise<AnswerSetRow | null> {
  return em.findOne(AnswerSet, { surveyProjectId: surveyId, accountId }, lock ? FOR_UPDATE : {});
}

/** Creates or updates the account's set with `checked`; a withdrawn set is given again. */
export async function saveOwnSet(tx: EntityManager, survey: SurveyRow, accountId: string, checked: CheckedAnswers): Promise<AnswerSetRow> {
  const now = new Date();
  let set = await ownSet(tx, survey.id, accountId, true);
  if (set) Object.assign(set, { updatedAt: now, withdrawnAt: null });
  else {
    set = tx.create(AnswerSet, {
      id: crypto.randomUUID(), surveyProjectId: survey.id, orgId: survey.orgId, projectId: survey.projectId, accountId, questionnaireId: null,
      placeId: null, countryId: null, ageRange: null, submittedAt: now, updatedAt: now, withdrawnAt: null,
    });
  }
  await replaceAnswers(tx, set, checked);
  return set;
}
