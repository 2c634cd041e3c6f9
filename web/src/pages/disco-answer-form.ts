// The controls of an answer set: a pledged amount per support role (in its unit), the needs by group with the
// input their kind asks for (yes/no, text, number, one of the options), a place and an age range. Empty
// controls are left out of the answers; each control is tied to its request field (data-field) for the server's
// errors, numbered as sent.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { h } from "../dom.js";
import { createPlacePicker } from "../components/place-picker.js";
import type { AnswersSchema, AnswerSet, NeedAnswer } from "../../../clients/src/gen/polity/mod/disco/v1/answers_pb.js";
import { NeedKind, type NeedQuestion, type Survey } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { AGE_RANGES, amountText } from "./disco-survey-client.js";

type AnswersInit = MessageInitShape<typeof AnswersSchema>;
type NeedValue = NonNullable<MessageInitShape<typeof AnswersSchema>["needs"]>[number]["value"];

export interface AnswerControls {
  element: HTMLElement;
  /** The answers as sent, with each control's data-field set to its place in them. */
  read(): AnswersInit;
}

interface NeedControl {
  question: NeedQuestion;
  element: HTMLElement;
  field: HTMLElement;
  value(): NeedValue | undefined;
}

const labelled = (id: string, label: string, control: HTMLElement, help?: string) =>
  h("div", { class: "field" }, h("label", { for: id }, label), control, help ? h("small", { class: "muted" }, help) : null);

function needControl(q: NeedQuestion, given: NeedAnswer["value"] | undefined): NeedControl {
  const id = `need-${q.id}`;
  const label = `${q.prompt}${q.required ? " (required)" : ""}`;
  const base = { id, "data-testid": "need-input", "data-question": q.id, required: q.required };
  if (q.kind === NeedKind.BOOLEAN) {
    const answer = given?.case === "boolValue" ? String(given.value) : "";
    const select = h("select", base, [["", "—"], ["true", "Yes"], ["false", "No"]].map(([v, l]) => h("option", { value: v, selected: v === answer }, l)));
    return { question: q, element: labelled(id, label, select), field: select,
      value: () => (select.value ? { case: "boolValue", value: select.value === "true" } : undefined) };
  }
  if (q.kind === NeedKind.CHOICE) {
    const answer = given?.case === "choiceValue" ? given.value : "";
    const select = h("select", base, h("option", { value: "" }, "—"), q.options.map((o) => h("option", { value: o, selected: o === answer }, o)));
    return { question: q, element: labelled(id, label, select), field: select,
      value: () => (select.value ? { case: "choiceValue", value: select.value } : undefined) };
  }
  if (q.kind === NeedKind.NUMBER) {
    const input = h("input", { ...base, type: "number", step: "any", value: given?.case === "numberValue" ? String(given.value) : "" });
    return { question: q, element: labelled(id, label, input), field: input,
      value: () => (input.value.trim() === "" ? undefined : { case: "numberValue", value: Number(input.value) }) };
  }
  const area = h("textarea", { ...base, rows: 2, maxlength: 5000 }, given?.case === "textValue" ? given.value : "");
  return { question: q, element: labelled(id, label, area), field: area,
    value: () => (area.value.trim() ? { case: "textValue", value: area.value.trim() } : undefined) };
}

export function answerControls(survey: Survey, given?: AnswerSet): AnswerControls {
  const previous = given?.answers;
  const pledges = survey.supplyQuestions.map((q) => {
    const before = previous?.pledges.find((p) => p.supplyQuestionId === q.id);
    const input = h("input", { id: `pledge-${q.id}`, type: "number", min: 0, step: "0.01", inputmode: "decimal", "data-testid": "pledge-input",
      "data-question": q.id, value: before ? amountText(before.amount) : "" });
    return { question: q, input, element: labelled(input.id, `${q.name} (${q.unit})`, input, q.description || undefined) };
  });
  const needs = survey.needQuestions.map((q) => needControl(q, previous?.needs.find((n) => n.needQuestionId === q.id)?.value));
  const groups = [...new Set(needs.map((n) => n.question.group))];
  const place = createPlacePicker({ id: "answer-place", label: "Where you are (city or country)", testid: "answer-place", initial: previous?.placeId || undefined, locate: !previous });
  place.element.setAttribute("data-field", "answers.place_id");
  const age = h("select", { id: "answer-age", "data-testid": "answer-age", "data-field": "answers.age_range" },
    h("option", { value: "0" }, "Prefer not to say"), AGE_RANGES.map(([v, l]) => h("option", { value: v, selected: v === previous?.ageRange }, l)));

  const element = h("div", { class: "answer-controls" },
    pledges.length ? h("fieldset", { "data-testid": "pledges" }, h("legend", {}, "What you can give"),
      h("p", { class: "muted" }, "Pledge an amount for each role you can take on; leave the others empty."), pledges.map((p) => p.element)) : null,
    groups.map((group) => h("fieldset", { "data-testid": "need-group", "data-group": group }, h("legend", {}, group || "What you need"),
      needs.filter((n) => n.question.group === group).map((n) => n.element))),
    h("fieldset", {}, h("legend", {}, "About you"), place.element, labelled("answer-age", "Age range", age)));

  return {
    element,
    read() {
      for (const el of element.querySelectorAll("[data-question]")) el.removeAttribute("data-field");
      const sentPledges = pledges.filter((p) => p.input.value.trim() !== "");
      sentPledges.forEach((p, i) => p.input.setAttribute("data-field", `answers.pledges[${i}]`));
      const sentNeeds = needs.map((n) => ({ n, value: n.value() })).filter((x) => x.value !== undefined);
      sentNeeds.forEach(({ n }, i) => n.field.setAttribute("data-field", `answers.needs[${i}]`));
      return {
        pledges: sentPledges.map((p) => ({ supplyQuestionId: p.question.id, amount: Number(p.input.value) })),
        needs: sentNeeds.map(({ n, value }) => ({ needQuestionId: n.question.id, value })),
        placeId: place.value(),
        ageRange: Number(age.value),
      };
    },
  };
}
