// A project's survey projects, matched by title; their questions matched by name (supply) and prompt (needs), so
// an update keeps the ids (and the answers) of the questions that stay.
import type { Client } from "@connectrpc/connect";
import { NeedKind, type Survey, SurveyService, SurveyStatus } from "../../gen/polity/mod/disco/v1/surveys_pb.js";
import { listAll } from "../resolve.js";
import { changedFields, type Reporter } from "./report.js";
import type { SurveySpec } from "./schema.js";

export type SurveyClient = Client<typeof SurveyService>;

/** A survey as the campaigns see it: its id and its supply questions' ids by lower-cased name (undefined in a dry run). */
export type KnownSurveys = Map<string, { id?: string; supply: Map<string, string | undefined> }>;

const STATUS = { draft: SurveyStatus.DRAFT, open: SurveyStatus.OPEN, closed: SurveyStatus.CLOSED } as const;
const KIND = { boolean: NeedKind.BOOLEAN, text: NeedKind.TEXT, number: NeedKind.NUMBER, choice: NeedKind.CHOICE } as const;

export function questionsOf(spec: Pick<SurveySpec, "supply" | "needs">, current?: Survey) {
  const supplyId = (name: string) => current?.supplyQuestions.find((q) => q.name.toLowerCase() === name.toLowerCase())?.id ?? "";
  const needId = (prompt: string) => current?.needQuestions.find((q) => q.prompt.toLowerCase() === prompt.toLowerCase())?.id ?? "";
  return {
    supplyQuestions: spec.supply.map((q) => ({ id: supplyId(q.name), name: q.name, description: q.description, unit: q.unit })),
    needQuestions: spec.needs.map((q) => ({ id: needId(q.prompt), group: q.group, prompt: q.prompt, kind: KIND[q.kind], options: q.options, required: q.required })),
  };
}

/** The parts of a survey the file states, in a comparable shape. */
function comparable(s: { title: string; description: string; category: string; status: SurveyStatus; supplyQuestions: Array<{ name: string; description: string; unit: string }>; needQuestions: Array<{ group: string; prompt: string; kind: NeedKind; options: string[]; required: boolean }> }) {
  return {
    title: s.title, description: s.description, category: s.category, status: s.status,
    supply: s.supplyQuestions.map((q) => [q.name, q.description, q.unit]),
    needs: s.needQuestions.map((q) => [q.group, q.prompt, q.kind, q.options, q.required]),
  };
}

function known(survey: Survey | undefined, spec: SurveySpec): { id?: string; supply: Map<string, string | undefined> } {
  return {
    id: survey?.id,
    supply: new Map(spec.supply.map((q) => [q.name.toLowerCase(), survey?.supplyQuestions.find((s) => s.name.toLowerCase() === q.name.toLowerCase())?.id])),
  };
}

export async function applySurveys(client: SurveyClient, projectId: string | undefined, label: string, specs: SurveySpec[], report: Reporter): Promise<KnownSurveys> {
  const result: KnownSurveys = new Map();
  if (specs.length === 0) return result;
  const current = projectId
    ? await listAll(async (pageToken) => {
      const res = await client.listSurveys({ projectId, pageSize: 200, pageToken });
      return { items: res.surveys, next: res.nextPageToken };
    })
    : [];
  for (const spec of specs) {
    const what = `survey ${label} "${spec.title}"`;
    const existing = current.find((s) => s.title.toLowerCase() === spec.title.toLowerCase());
    const questions = questionsOf(spec, existing);
    const desired = { title: spec.title, description: spec.description, category: spec.category ?? "", status: STATUS[spec.status] };
    if (!existing) {
      report.note("created", what);
      const created = !report.dryRun && projectId ? (await client.createSurvey({ projectId, ...desired, questions })).survey : undefined;
      result.set(spec.title.toLowerCase(), known(created, spec));
      continue;
    }
    const fields = changedFields(comparable(existing), comparable({ ...desired, ...questions }));
    report.note(fields.length ? "updated" : "unchanged", what, fields);
    let survey = existing;
    if (fields.length && !report.dryRun) {
      survey = (await client.updateSurvey({
        projectId: projectId!, surveyId: existing.id, title: desired.title, description: desired.description, category: desired.category,
        status: fields.includes("status") ? desired.status : SurveyStatus.UNSPECIFIED,
        questions: fields.includes("supply") || fields.includes("needs") ? questions : undefined,
      })).survey!;
    }
    result.set(spec.title.toLowerCase(), known(survey, spec));
  }
  return result;
}
