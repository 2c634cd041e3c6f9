// polity disco surveys create | get | list | update | delete: a project's survey projects. Questions come from a
// YAML or JSON file in the bootstrap file's shape — `supply:` (name, unit, description) and `needs:` (group,
// prompt, kind, options, required) — and an update matches them by name and prompt, so questions that stay keep
// their ids and their answers.
import { readFileSync } from "node:fs";
import { createClient, type Client } from "@connectrpc/connect";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import {
  CreateSurveyResponseSchema, GetSurveyResponseSchema, ListSurveysResponseSchema, NeedKind, type Survey, SurveyService, SurveyStatus,
  UpdateSurveyResponseSchema,
} from "../../gen/polity/mod/disco/v1/surveys_pb.js";
import { questionsOf } from "../disco-bootstrap/apply-surveys.js";
import { surveySchema } from "../disco-bootstrap/schema.js";
import { UsageError } from "../exit.js";
import type { Io } from "../io.js";
import { printNextPage, printRecord, printTable, shortId, time } from "../output.js";
import { isUuid, listAll, pick, resolveProject } from "../resolve.js";
import { action, type Session } from "../session.js";

const STATUSES: Record<string, SurveyStatus> = { draft: SurveyStatus.DRAFT, open: SurveyStatus.OPEN, closed: SurveyStatus.CLOSED };
const statusName = (s: SurveyStatus) => Object.keys(STATUSES).find((k) => STATUSES[k] === s) ?? "";
const kindName = (k: NeedKind) => NeedKind[k].toLowerCase();
const questionsFileSchema = surveySchema.pick({ supply: true, needs: true });

const clients = new WeakMap<Session, Client<typeof SurveyService>>();
export function surveys(s: Session): Client<typeof SurveyService> {
  let c = clients.get(s);
  if (!c) clients.set(s, (c = createClient(SurveyService, s.client.transport)));
  return c;
}

function statusOf(value: string | undefined): SurveyStatus {
  if (value === undefined) return SurveyStatus.UNSPECIFIED;
  const status = STATUSES[value.toLowerCase()];
  if (status === undefined) throw new UsageError(`--status takes draft, open or closed, not "${value}".`);
  return status;
}

/** The question file's lists, checked; ids kept for the questions `current` already has (by name and prompt). */
async function questionsFrom(s: Session, file: string, current?: Survey) {
  let parsed: unknown;
  try {
    parsed = parseYaml(file === "-" ? await s.io.readStdin() : readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`Cannot read --questions ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const checked = questionsFileSchema.safeParse(parsed ?? {});
  if (!checked.success) {
    const problems = checked.error.issues.map((i) => `  ${i.path.join(".") || "(file)"}: ${i.message}`).join("\n");
    throw new UsageError(`--questions ${file} is not a list of supply: and needs: questions:\n${problems}`);
  }
  return questionsOf(checked.data, current);
}

/** A survey by id, or — with the project — by title or id prefix. */
export async function resolveSurvey(s: Session, ref: string, projectId?: string): Promise<string> {
  if (isUuid(ref)) return ref;
  if (!projectId) throw new UsageError(`Pass the survey's full id, or --project to name it by title or id prefix ("${ref}").`);
  const list = await listAll(async (pageToken) => {
    const res = await surveys(s).listSurveys({ projectId, pageSize: 200, pageToken });
    return { items: res.surveys, next: res.nextPageToken };
  });
  return pick("survey", ref, list.map((v) => ({ id: v.id, names: [v.title], label: v.title })), "polity disco surveys list --project PROJECT", "a title or an id");
}

export function showSurvey(s: Session, survey: Survey | undefined): void {
  if (!survey) return;
  printRecord(s.io, { id: survey.id, title: survey.title, status: statusName(survey.status), category: survey.category || "(none)", project: survey.projectId, updated: time(survey.updateTime) });
  if (survey.supplyQuestions.length) {
    s.io.stdout("\nSupport roles\n");
    printTable(s.io, ["ID", "NAME", "UNIT", "DESCRIPTION"], survey.supplyQuestions.map((q) => [shortId(q.id), q.name, q.unit, q.description]));
  }
  if (survey.needQuestions.length) {
    s.io.stdout("\nNeeds\n");
    printTable(s.io, ["ID", "GROUP", "PROMPT", "KIND", "OPTIONS", "REQUIRED"], survey.needQuestions.map((q) => [shortId(q.id), q.group, q.prompt, kindName(q.kind), q.options.join(", "), q.required ? "yes" : ""]));
  }
}

type ProjectFlags = { project?: string; org?: string };
type SurveyFlags = ProjectFlags & { title?: string; description?: string; category?: string; status?: string; questions?: string };

const projectOf = (s: Session, o: ProjectFlags) => (o.project ? resolveProject(s, o.org, o.project) : Promise.resolve(undefined));

function projectOptions(c: Command, required: boolean): Command {
  const flag = "--project <project>";
  const what = "the survey's project (id, or slug with --org)";
  return (required ? c.requiredOption(flag, what) : c.option(flag, `${what}, to name the survey by title`)).option("--org <org>", "the project's org (slug or id), to name the project by slug");
}

function surveyOptions(c: Command): Command {
  return c
    .option("--title <text>", "the survey's title")
    .option("--description <text>", "what it is for")
    .option("--category <slug>", "a category slug (food, climate…); \"\" for none")
    .option("--status <status>", "draft, open or closed")
    .option("--questions <file>", "the questions, from a YAML or JSON file with supply: and needs: lists (- reads stdin)");
}

export function registerSurveys(disco: Command, io: Io): void {
  const cmd = disco.command("surveys").description("a project's survey projects: support roles (supply) and needs (demand)");

  surveyOptions(projectOptions(cmd.command("create").description("create a survey (a draft unless --status open)"), true))
    .action(action(io, async (s, o: SurveyFlags) => {
      if (!o.title) throw new UsageError("Pass --title.");
      const projectId = (await projectOf(s, o))!;
      const res = await surveys(s).createSurvey({
        projectId, title: o.title, description: o.description ?? "", category: o.category ?? "", status: statusOf(o.status),
        questions: o.questions ? await questionsFrom(s, o.questions) : undefined,
      });
      s.emit(CreateSurveyResponseSchema, res, () => showSurvey(s, res.survey));
    }));

  projectOptions(cmd.command("get <survey>").description("a survey and its questions"), false)
    .action(action(io, async (s, ref: string, o: ProjectFlags) => {
      const res = await surveys(s).getSurvey({ surveyId: await resolveSurvey(s, ref, await projectOf(s, o)) });
      s.emit(GetSurveyResponseSchema, res, () => showSurvey(s, res.survey));
    }));

  projectOptions(cmd.command("list").description("a project's surveys (drafts only for their managers)"), true)
    .option("--status <status>", "only draft, open or closed surveys")
    .option("--page-token <token>", "the next page")
    .action(action(io, async (s, o: ProjectFlags & { status?: string; pageToken?: string }) => {
      const res = await surveys(s).listSurveys({ projectId: (await projectOf(s, o))!, status: statusOf(o.status), pageToken: o.pageToken ?? "" });
      s.emit(ListSurveysResponseSchema, res, () => {
        printTable(s.io, ["ID", "TITLE", "STATUS", "CATEGORY", "ROLES", "NEEDS"], res.surveys.map((v) => [shortId(v.id), v.title, statusName(v.status), v.category, v.supplyQuestions.length, v.needQuestions.length]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  surveyOptions(projectOptions(cmd.command("update <survey>").description("change the fields given; --questions replaces the question list"), true))
    .action(action(io, async (s, ref: string, o: SurveyFlags) => {
      const projectId = (await projectOf(s, o))!;
      const surveyId = await resolveSurvey(s, ref, projectId);
      const current = o.questions ? (await surveys(s).getSurvey({ surveyId })).survey : undefined;
      const res = await surveys(s).updateSurvey({
        projectId, surveyId, title: o.title, description: o.description, category: o.category, status: statusOf(o.status),
        questions: o.questions ? await questionsFrom(s, o.questions, current) : undefined,
      });
      s.emit(UpdateSurveyResponseSchema, res, () => showSurvey(s, res.survey));
    }));

  projectOptions(cmd.command("delete <survey>").description("delete a survey; its answers stop counting"), true)
    .action(action(io, async (s, ref: string, o: ProjectFlags) => {
      const projectId = (await projectOf(s, o))!;
      const surveyId = await resolveSurvey(s, ref, projectId);
      await surveys(s).deleteSurvey({ projectId, surveyId });
      if (!s.json) s.io.stdout(`Deleted survey ${shortId(surveyId)}.\n`);
      else s.io.stdout("{}\n");
    }));
}
