// A survey's question list, written as a whole: questions named by id are kept (and changed), those without an
// id are added, and those left out are removed — or retired when someone answered them, so the answers given
// stay on record (campaigns and statistics skip retired questions).
import type { NeedQuestion as NeedInput, SupplyQuestion as SupplyInput, SurveyQuestions } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { failedPrecondition, invalidArgument } from "../../../sys/core/errors.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { NeedAnswer, NeedQuestion, Pledge, SupplyQuestion } from "./entities.js";
import { KIND_OF } from "./survey-rows.js";

export interface QuestionsWritten {
  /** A support role that had pledges was retired: counted pledges changed. */
  pledgesChanged: boolean;
}

/** Kept questions by id; an id the survey does not have (or given twice) is INVALID_ARGUMENT. */
function keptIds<T extends { id: string }>(inputs: Array<{ id: string }>, existing: T[], field: string): Map<string, T> {
  const byId = new Map(existing.map((q) => [q.id.toLowerCase(), q]));
  const kept = new Map<string, T>();
  inputs.forEach((input, i) => {
    if (!input.id) return;
    const id = input.id.toLowerCase();
    const found = byId.get(id);
    if (!found) throw invalidArgument(`${field}[${i}].id`, `the survey has no question ${input.id}`, "UNKNOWN_QUESTION");
    if (kept.has(id)) throw invalidArgument(`${field}[${i}].id`, `question ${input.id} is listed twice`, "DUPLICATE_QUESTION");
    kept.set(id, found);
  });
  return kept;
}

/** Those of `ids` that some answer set answered (`column` names the question in `entity`'s table). */
async function answeredAmong(tx: EntityManager, entity: typeof Pledge | typeof NeedAnswer, column: "supply_question_id" | "need_question_id", ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await query<{ id: string }>(tx, `select distinct "${column}" as id from ${tableOf(tx, entity)} where "${column}" in (?)`, [ids]);
  return new Set(rows.map((r) => r.id));
}

/** Removes the questions left out: deleted when unanswered, retired otherwise. Returns the retired ids. */
async function removeLeftOut(tx: EntityManager, entity: typeof SupplyQuestion | typeof NeedQuestion, leftOut: string[], answered: Set<string>, now: Date): Promise<string[]> {
  const retired = leftOut.filter((id) => answered.has(id));
  const deleted = leftOut.filter((id) => !answered.has(id));
  if (retired.length > 0) await tx.nativeUpdate(entity as typeof SupplyQuestion, { id: { $in: retired } }, { deletedAt: now });
  if (deleted.length > 0) await tx.nativeDelete(entity as typeof SupplyQuestion, { id: { $in: deleted } });
  return retired;
}

async function writeSupply(tx: EntityManager, surveyId: string, inputs: SupplyInput[], now: Date): Promise<boolean> {
  const existing = await tx.find(SupplyQuestion, { surveyProjectId: surveyId, deletedAt: null });
  const kept = keptIds(inputs, existing, "questions.supply_questions");
  inputs.forEach((input, position) => {
    const row = input.id ? kept.get(input.id.toLowerCase())! : tx.create(SupplyQuestion, { id: crypto.randomUUID(), surveyProjectId: surveyId, position, name: "", description: "", unit: "" });
    Object.assign(row, { position, name: input.name, description: input.description, unit: input.unit });
  });
  const leftOut = existing.filter((q) => !kept.has(q.id)).map((q) => q.id);
  const retired = await removeLeftOut(tx, SupplyQuestion, leftOut, await answeredAmong(tx, Pledge, "supply_question_id", leftOut), now);
  return retired.length > 0;
}

async function writeNeeds(tx: EntityManager, surveyId: string, inputs: NeedInput[], now: Date): Promise<void> {
  const existing = await tx.find(NeedQuestion, { surveyProjectId: surveyId, deletedAt: null });
  const kept = keptIds(inputs, existing, "questions.need_questions");
  const answered = await answeredAmong(tx, NeedAnswer, "need_question_id", existing.map((q) => q.id));
  inputs.forEach((input, position) => {
    const kind = KIND_OF[input.kind]!;
    const old = input.id ? kept.get(input.id.toLowerCase())! : undefined;
    // Answers already given were checked against the kind: changing it would leave them meaning nothing.
    if (old && old.kind !== kind && answered.has(old.id)) {
      throw failedPrecondition("QUESTION_ANSWERED", `need question ${old.id} has answers: its kind cannot change (add a new question instead)`);
    }
    const row = old ?? tx.create(NeedQuestion, { id: crypto.randomUUID(), surveyProjectId: surveyId, position, groupName: "", prompt: "", kind, options: [], required: false });
    Object.assign(row, { position, groupName: input.group, prompt: input.prompt, kind, options: [...input.options], required: input.required });
  });
  const leftOut = existing.filter((q) => !kept.has(q.id)).map((q) => q.id);
  await removeLeftOut(tx, NeedQuestion, leftOut, answered, now);
}

/** Writes the survey's whole question list (flushed). */
export async function writeQuestions(tx: EntityManager, surveyId: string, questions: SurveyQuestions | undefined, now: Date): Promise<QuestionsWritten> {
  const pledgesChanged = await writeSupply(tx, surveyId, questions?.supplyQuestions ?? [], now);
  await writeNeeds(tx, surveyId, questions?.needQuestions ?? [], now);
  await tx.flush();
  return { pledgesChanged };
}
