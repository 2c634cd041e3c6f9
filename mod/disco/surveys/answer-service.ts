// AnswerService. Permissions and input rules come from the proto; here: one set per person per survey, the
// survey's state, and who sees what — a person only their own set (never a questionnaire's email), the
// project's admins every set of the project's surveys.
import { Code, type ServiceImpl } from "@connectrpc/connect";
import type { AnswerService } from "../../../clients/src/gen/polity/mod/disco/v1/answers_pb.js";
import { clientAddressKey, requirePrincipal } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { apiError, failedPrecondition, notFound } from "../../../sys/core/errors.js";
import { decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { isUuid } from "../../../sys/core/sql.js";
import { FOR_UPDATE, writeTransaction } from "../../../sys/core/write-transaction.js";
import type { DiscoDeps } from "../deps.js";
import type { AnonymousAnswerLimit } from "./anonymous-limit.js";
import { answerSetsToProto, deleteAnswerSet, replaceAnswers, type AnswerSetRow } from "./answer-store.js";
import { changeOf, ownSet, saveOwnSet, writeAnswers } from "./answer-writes.js";
import { claimTokenHash, newClaimToken } from "./claim-token.js";
import { AnswerSet, Questionnaire } from "./entities.js";
import { projectSurveyRow, surveyRow } from "./survey-rows.js";

const noAnswers = (surveyId: string) => apiError(Code.NotFound, "NO_ANSWERS", `you have no answers to survey ${surveyId}`, { survey_id: surveyId });

export function createAnswerService(deps: DiscoDeps, anonymousLimit: AnonymousAnswerLimit): ServiceImpl<typeof AnswerService> {
  const own = async (em: EntityManager, set: AnswerSetRow) => ({ answerSet: (await answerSetsToProto(em, [set], { questionnaires: false }))[0] });
  const forAdmins = async (sets: AnswerSetRow[]) => answerSetsToProto(deps.db.em(), sets, { questionnaires: true });

  return {
    async submitAnswers(req, ctx) {
      const caller = requirePrincipal(ctx);
      const set = await writeAnswers(deps, ctx, req.surveyId, req.answers!, async (tx, survey, checked) => {
        const saved = await saveOwnSet(tx, survey, caller.accountId, checked);
        await deps.pledgesChanged(tx, changeOf(survey));
        return saved;
      });
      return own(deps.db.em(), set);
    },

    async getMyAnswers(req, ctx) {
      const caller = requirePrincipal(ctx);
      const em = deps.db.em();
      await surveyRow(em, req.surveyId);
      const set = await ownSet(em, req.surveyId, caller.accountId);
      if (!set) throw noAnswers(req.surveyId);
      return own(em, set);
    },

    async withdrawAnswers(req, ctx) {
      const caller = requirePrincipal(ctx);
      const set = await writeTransaction(deps.db, async (tx) => {
        const survey = await surveyRow(tx, req.surveyId, true);
        const found = await ownSet(tx, survey.id, caller.accountId, true);
        if (!found) throw noAnswers(req.surveyId);
        if (found.withdrawnAt) return found;
        found.withdrawnAt = new Date();
        found.updatedAt = found.withdrawnAt;
        await tx.flush();
        await deps.pledgesChanged(tx, changeOf(survey));
        return found;
      });
      return own(deps.db.em(), set);
    },

    async submitAnonymousAnswers(req, ctx) {
      await anonymousLimit.consume(ctx.values.get(clientAddressKey));
      const form = req.questionnaire!;
      const { token, hash } = newClaimToken();
      // Not counted until claimed: no other area needs to hear of it.
      const set = await writeAnswers(deps, ctx, req.surveyId, req.answers!, async (tx, survey, checked) => {
        const now = new Date();
        const questionnaire = tx.create(Questionnaire, {
          id: crypto.randomUUID(), surveyProjectId: survey.id, email: form.email.trim().toLowerCase(), displayName: form.displayName,
          consentToContact: form.consentToContact, claimTokenHash: hash, createdAt: now, claimedAt: null, claimedBy: null,
        });
        const created = tx.create(AnswerSet, {
          id: crypto.randomUUID(), surveyProjectId: survey.id, orgId: survey.orgId, projectId: survey.projectId, accountId: null, questionnaireId: questionnaire.id,
          placeId: null, countryId: null, ageRange: null, submittedAt: now, updatedAt: now, withdrawnAt: null,
        });
        await replaceAnswers(tx, created, checked);
        return created;
      });
      return { answerSetId: set.id, claimToken: token };
    },

    async claimAnswers(req, ctx) {
      const caller = requirePrincipal(ctx);
      const set = await writeTransaction(deps.db, async (tx) => {
        const questionnaire = await tx.findOne(Questionnaire, { claimTokenHash: claimTokenHash(req.claimToken) }, FOR_UPDATE);
        if (!questionnaire) throw apiError(Code.NotFound, "CLAIM_TOKEN_UNKNOWN", "no answers wait for this claim token");
        if (questionnaire.claimedAt) throw failedPrecondition("ALREADY_CLAIMED", "these answers were claimed already: a claim token works once");
        const survey = await surveyRow(tx, questionnaire.surveyProjectId, true);
        const anonymous = await tx.findOne(AnswerSet, { questionnaireId: questionnaire.id, accountId: null }, FOR_UPDATE);
        if (!anonymous) throw apiError(Code.NotFound, "CLAIM_TOKEN_UNKNOWN", "no answers wait for this claim token");
        const mine = await ownSet(tx, survey.id, caller.accountId, true);
        if (mine && !mine.withdrawnAt && !req.replace) {
          throw failedPrecondition("ALREADY_ANSWERED", "you already answered this survey: claim with replace to keep the claimed answers instead");
        }
        if (mine) await deleteAnswerSet(tx, mine.id);
        const now = new Date();
        Object.assign(questionnaire, { claimedAt: now, claimedBy: caller.accountId });
        Object.assign(anonymous, { accountId: caller.accountId, updatedAt: now });
        await tx.flush();
        await deps.pledgesChanged(tx, changeOf(survey));
        return anonymous;
      });
      return own(deps.db.em(), set);
    },

    async listAnswers(req) {
      const em = deps.db.em();
      await projectSurveyRow(em, req.projectId, req.surveyId);
      const size = pageSizeOf(req.pageSize);
      const cursor = decodeCursor(req.pageToken);
      const after = cursor ? { $or: [{ submittedAt: { $gt: cursor.createdAt } }, { submittedAt: cursor.createdAt, id: { $gt: cursor.id } }] } : {};
      const counted = req.countedOnly ? { accountId: { $ne: null }, withdrawnAt: null } : {};
      const rows = await em.find(AnswerSet, { surveyProjectId: req.surveyId, ...counted, ...after }, { orderBy: { submittedAt: "asc", id: "asc" }, limit: size + 1 });
      const page = pageOf(rows, size, (r) => ({ createdAt: r.submittedAt, id: r.id }));
      return { answerSets: await forAdmins(page.items), nextPageToken: page.nextPageToken };
    },

    async getAnswerSet(req) {
      const set = isUuid(req.answerSetId) ? await deps.db.em().findOne(AnswerSet, { id: req.answerSetId, projectId: req.projectId }) : null;
      if (!set) throw notFound("answer set", req.answerSetId);
      // A deleted survey's answers are no longer shown.
      await projectSurveyRow(deps.db.em(), req.projectId, set.surveyProjectId);
      return { answerSet: (await forAdmins([set]))[0] };
    },
  };
}
