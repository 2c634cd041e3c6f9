// SurveyService. Permissions and input rules come from the proto; here: what only the data can tell (the
// project's org, the survey belonging to the project, drafts hidden from those who may not manage them).
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { SurveyStatus, type SurveyService } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { bearerOf, requirePrincipal } from "../../../sys/core/authn/principal.js";
import { notFound } from "../../../sys/core/errors.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { writeTransaction } from "../../../sys/core/write-transaction.js";
import type { DiscoDeps } from "../deps.js";
import { SurveyProject } from "./entities.js";
import { writeQuestions } from "./questions.js";
import { mayManageSurveys, visibleSurvey } from "./survey-access.js";
import { projectSurveyRow, STATUS_OF, surveyRow, surveysToProto, type SurveyRow } from "./survey-rows.js";

export function createSurveyService(deps: DiscoDeps): ServiceImpl<typeof SurveyService> {
  /** The project's org, from sys: never from the request. */
  async function orgOf(projectId: string, ctx: HandlerContext): Promise<string> {
    const project = await deps.directory.getProject(projectId, bearerOf(ctx));
    if (!project) throw notFound("project", projectId);
    return project.orgId;
  }

  const oneSurvey = async (row: SurveyRow) => ({ survey: (await surveysToProto(deps.db.em(), [row]))[0] });

  return {
    async createSurvey(req, ctx) {
      const caller = requirePrincipal(ctx);
      const orgId = await orgOf(req.projectId, ctx);
      const row = await writeTransaction(deps.db, async (tx) => {
        const now = new Date();
        const survey = tx.create(SurveyProject, {
          id: crypto.randomUUID(), orgId, projectId: req.projectId, title: req.title, description: req.description, category: req.category,
          status: STATUS_OF[req.status] ?? "draft", createdBy: caller.accountId, createdAt: now, updatedAt: now, deletedAt: null,
        });
        await tx.flush();
        await writeQuestions(tx, survey.id, req.questions, now);
        return survey;
      });
      return oneSurvey(row);
    },

    async getSurvey(req, ctx) {
      return oneSurvey(await visibleSurvey(deps, ctx, await surveyRow(deps.db.em(), req.surveyId)));
    },

    async listSurveys(req, ctx) {
      const size = pageSizeOf(req.pageSize);
      const manager = await mayManageSurveys(deps, ctx, req.projectId);
      const asked = STATUS_OF[req.status];
      const statuses = asked ? [asked] : ["draft", "open", "closed"];
      const visible = manager ? statuses : statuses.filter((s) => s !== "draft");
      const em = deps.db.em();
      const rows = visible.length === 0 ? [] : await em.find(
        SurveyProject,
        { projectId: req.projectId, deletedAt: null, status: { $in: visible as SurveyRow["status"][] }, ...afterCursor(decodeCursor(req.pageToken)) },
        { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 },
      );
      const page = pageOf(rows, size);
      return { surveys: await surveysToProto(em, page.items), nextPageToken: page.nextPageToken };
    },

    async updateSurvey(req) {
      const row = await writeTransaction(deps.db, async (tx) => {
        const survey = await projectSurveyRow(tx, req.projectId, req.surveyId, true);
        const now = new Date();
        if (req.title !== undefined) survey.title = req.title;
        if (req.description !== undefined) survey.description = req.description;
        if (req.category !== undefined) survey.category = req.category;
        if (req.status !== SurveyStatus.UNSPECIFIED) survey.status = STATUS_OF[req.status]!;
        survey.updatedAt = now;
        await tx.flush();
        if (req.questions) {
          const written = await writeQuestions(tx, survey.id, req.questions, now);
          if (written.pledgesChanged) await deps.pledgesChanged(tx, { orgId: survey.orgId, projectId: survey.projectId, surveyProjectId: survey.id });
        }
        return survey;
      });
      return oneSurvey(row);
    },

    async deleteSurvey(req) {
      await writeTransaction(deps.db, async (tx) => {
        const survey = await projectSurveyRow(tx, req.projectId, req.surveyId, true);
        survey.deletedAt = new Date();
        await tx.flush();
        await deps.pledgesChanged(tx, { orgId: survey.orgId, projectId: survey.projectId, surveyProjectId: survey.id });
      });
      return {};
    },
  };
}
