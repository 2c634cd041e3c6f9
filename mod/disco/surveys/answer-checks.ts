// An answer set checked against its survey's questions, as only the stored questions can tell: pledges to the
// survey's support roles in whole cents, each need answered with its kind's value (a choice among its options),
// every required need answered, and the place a known timespace place (its country kept alongside).
import type { Answers, NeedAnswer as NeedInput } from "../../../clients/src/gen/polity/mod/disco/v1/answers_pb.js";
import { invalidArgument } from "../../../sys/core/errors.js";
import type { DiscoDeps } from "../deps.js";
import { storedAgeRange } from "./age-range.js";
import type { AgeRangeValue, NeedKind } from "./entities.js";
import type { QuestionRows } from "./survey-rows.js";

export interface CheckedNeed {
  needQuestionId: string;
  boolValue: boolean | null;
  textValue: string | null;
  numberValue: number | null;
  choiceValue: string | null;
}

export interface CheckedAnswers {
  /** Amounts as numeric text with two decimals ("12.50"). */
  pledges: Array<{ supplyQuestionId: string; amount: string }>;
  needs: CheckedNeed[];
  placeId: string | null;
  countryId: string | null;
  ageRange: AgeRangeValue | null;
}

const KIND_OF_CASE: Record<NonNullable<NeedInput["value"]["case"]>, NeedKind> = {
  boolValue: "boolean",
  textValue: "text",
  numberValue: "number",
  choiceValue: "choice",
};

/** The amount in whole cents as numeric text; more decimals than that is AMOUNT_PRECISION. */
function amountText(amount: number, field: string): string {
  const cents = Math.round(amount * 100);
  if (Math.abs(cents - amount * 100) > 1e-6) throw invalidArgument(field, `${amount} has more than two decimals`, "AMOUNT_PRECISION");
  return (cents / 100).toFixed(2);
}

function checkNeed(input: NeedInput, i: number, questions: QuestionRows): CheckedNeed {
  const field = `answers.needs[${i}]`;
  const question = questions.needs.find((q) => q.id === input.needQuestionId.toLowerCase());
  if (!question) throw invalidArgument(`${field}.need_question_id`, `the survey has no need question ${input.needQuestionId}`, "UNKNOWN_QUESTION");
  const { value } = input;
  if (!value.case || KIND_OF_CASE[value.case] !== question.kind) {
    throw invalidArgument(field, `need question ${question.id} takes a ${question.kind} answer`, "NEED_KIND_MISMATCH");
  }
  if (value.case === "choiceValue" && !question.options.includes(value.value)) {
    throw invalidArgument(`${field}.choice_value`, `"${value.value}" is not one of the question's options (${question.options.join(", ")})`, "UNKNOWN_CHOICE");
  }
  return {
    needQuestionId: question.id,
    boolValue: value.case === "boolValue" ? value.value : null,
    textValue: value.case === "textValue" ? value.value : null,
    numberValue: value.case === "numberValue" ? value.value : null,
    choiceValue: value.case === "choiceValue" ? value.value : null,
  };
}

/** The place and its country; an id timespace does not know is UNKNOWN_PLACE. */
async function placeOf(deps: DiscoDeps, placeId: string): Promise<{ placeId: string | null; countryId: string | null }> {
  if (!placeId) return { placeId: null, countryId: null };
  const [place] = await deps.timespace().getPlaces([placeId], "en");
  if (!place) throw invalidArgument("answers.place_id", `no place ${placeId}`, "UNKNOWN_PLACE");
  return { placeId: place.id, countryId: place.countryId };
}

/** Ids given twice (the proto's rule compares them as written; "A…" and "a…" are one question). */
function refuseTwice(ids: string[], field: string): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) throw invalidArgument(`${field}[${i}]`, `question ${id} is answered twice`, "DUPLICATE_ANSWER");
    seen.add(id);
  });
}

export async function checkAnswers(deps: DiscoDeps, answers: Answers, questions: QuestionRows): Promise<CheckedAnswers> {
  const pledges = answers.pledges.map((p, i) => {
    const question = questions.supply.find((q) => q.id === p.supplyQuestionId.toLowerCase());
    if (!question) throw invalidArgument(`answers.pledges[${i}].supply_question_id`, `the survey has no support role ${p.supplyQuestionId}`, "UNKNOWN_QUESTION");
    return { supplyQuestionId: question.id, amount: amountText(p.amount, `answers.pledges[${i}].amount`) };
  });
  const needs = answers.needs.map((n, i) => checkNeed(n, i, questions));
  refuseTwice(pledges.map((p) => p.supplyQuestionId), "answers.pledges");
  refuseTwice(needs.map((n) => n.needQuestionId), "answers.needs");
  const answered = new Set(needs.map((n) => n.needQuestionId));
  const missing = questions.needs.find((q) => q.required && !answered.has(q.id));
  if (missing) throw invalidArgument("answers.needs", `need question ${missing.id} ("${missing.prompt}") must be answered`, "NEED_REQUIRED");
  return { pledges, needs, ...(await placeOf(deps, answers.placeId)), ageRange: storedAgeRange(answers.ageRange) };
}
