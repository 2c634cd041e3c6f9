// The survey editor's question lists: support roles (name, unit, description) and needs (group, prompt, kind,
// options of a choice, required), each added, removed and moved up or down. A question keeps its id, so the
// server keeps its answers; each control names its request field (data-field) for the server's errors.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { h } from "../dom.js";
import { NeedKind, type Survey, type SurveyQuestionsSchema } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { NEED_KINDS } from "./disco-survey-client.js";

interface Supply { id: string; name: string; unit: string; description: string }
interface Need { id: string; group: string; prompt: string; kind: NeedKind; options: string; required: boolean }

export interface QuestionsEditor {
  element: HTMLElement;
  load(survey: Survey): void;
  read(): MessageInitShape<typeof SurveyQuestionsSchema>;
}

type Input = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** A labelled control whose edits land in `set`; `field` is its request path. */
function control<T extends Input>(el: T, label: string, field: string, set: (value: string) => void): HTMLElement {
  el.setAttribute("data-field", field);
  el.setAttribute("aria-label", label);
  el.addEventListener("input", () => set(el.value));
  return h("label", { class: "q-control" }, h("span", {}, label), el);
}

function moveButtons<T>(list: T[], index: number, what: string, redraw: () => void): HTMLElement {
  const move = (to: number) => () => {
    [list[index], list[to]] = [list[to], list[index]];
    redraw();
  };
  return h("span", { class: "q-actions" },
    h("button", { type: "button", class: "secondary small", "aria-label": `Move ${what} up`, "data-testid": "q-up", disabled: index === 0, onclick: move(index - 1) }, "↑"),
    h("button", { type: "button", class: "secondary small", "aria-label": `Move ${what} down`, "data-testid": "q-down", disabled: index === list.length - 1, onclick: move(index + 1) }, "↓"),
    h("button", { type: "button", class: "danger small", "aria-label": `Remove ${what}`, "data-testid": "q-remove", onclick: () => { list.splice(index, 1); redraw(); } }, "Remove"));
}

export function createQuestionsEditor(): QuestionsEditor {
  const supply: Supply[] = [];
  const needs: Need[] = [];
  const supplyList = h("ol", { class: "q-list", "data-testid": "supply-questions" });
  const needList = h("ol", { class: "q-list", "data-testid": "need-questions" });

  function supplyRow(q: Supply, i: number): HTMLElement {
    const path = `questions.supply_questions[${i}]`;
    return h("li", { class: "q-row", "data-testid": "supply-question" },
      h("div", { class: "q-fields" },
        control(h("input", { value: q.name, maxlength: 200, required: true, "data-testid": "supply-name" }), "Support role", `${path}.name`, (v) => (q.name = v)),
        control(h("input", { value: q.unit, maxlength: 32, required: true, placeholder: "hours", "data-testid": "supply-unit" }), "Unit", `${path}.unit`, (v) => (q.unit = v)),
        control(h("textarea", { rows: 2, maxlength: 5000, "data-testid": "supply-description" }, q.description), "Description", `${path}.description`, (v) => (q.description = v))),
      moveButtons(supply, i, `support role ${i + 1}`, redraw));
  }

  function needRow(q: Need, i: number): HTMLElement {
    const path = `questions.need_questions[${i}]`;
    const kind = h("select", { "data-testid": "need-kind" }, NEED_KINDS.map(([k, label]) => h("option", { value: k, selected: k === q.kind }, label)));
    const options = h("textarea", { rows: 3, "data-testid": "need-options", placeholder: "One option per line" }, q.options);
    const optionsBox = h("div", { "data-field": path, hidden: q.kind !== NeedKind.CHOICE }, control(options, "Options (one per line)", `${path}.options`, (v) => (q.options = v)));
    kind.addEventListener("change", () => {
      q.kind = Number(kind.value) as NeedKind;
      optionsBox.hidden = q.kind !== NeedKind.CHOICE;
    });
    const required = h("input", { type: "checkbox", checked: q.required, "data-testid": "need-required" });
    required.addEventListener("change", () => (q.required = required.checked));
    return h("li", { class: "q-row", "data-testid": "need-question" },
      h("div", { class: "q-fields" },
        control(h("input", { value: q.group, maxlength: 100, placeholder: "Housing", "data-testid": "need-group" }), "Group", `${path}.group`, (v) => (q.group = v)),
        control(h("input", { value: q.prompt, maxlength: 500, required: true, "data-testid": "need-prompt" }), "Question", `${path}.prompt`, (v) => (q.prompt = v)),
        h("label", { class: "q-control" }, h("span", {}, "Answer"), kind),
        optionsBox,
        h("label", { class: "check" }, required, "Required")),
      moveButtons(needs, i, `need ${i + 1}`, redraw));
  }

  function redraw(): void {
    supplyList.replaceChildren(...supply.map(supplyRow));
    needList.replaceChildren(...needs.map(needRow));
  }

  const element = h("div", { class: "q-editor" },
    h("h2", {}, "Support roles"), h("p", { class: "muted" }, "What people can give, pledged as an amount of a unit."), supplyList,
    h("button", { type: "button", class: "secondary", "data-testid": "add-supply", onclick: () => { supply.push({ id: "", name: "", unit: "hours", description: "" }); redraw(); } }, "Add a support role"),
    h("h2", {}, "Needs"), h("p", { class: "muted" }, "What people need, asked in groups."), needList,
    h("button", { type: "button", class: "secondary", "data-testid": "add-need", onclick: () => { needs.push({ id: "", group: "", prompt: "", kind: NeedKind.BOOLEAN, options: "", required: false }); redraw(); } }, "Add a need"));

  return {
    element,
    load(survey) {
      supply.splice(0, supply.length, ...survey.supplyQuestions.map((q) => ({ id: q.id, name: q.name, unit: q.unit, description: q.description })));
      needs.splice(0, needs.length, ...survey.needQuestions.map((q) => ({ id: q.id, group: q.group, prompt: q.prompt, kind: q.kind, options: q.options.join("\n"), required: q.required })));
      redraw();
    },
    read: () => ({
      supplyQuestions: supply.map((q) => ({ id: q.id, name: q.name.trim(), unit: q.unit.trim(), description: q.description.trim() })),
      needQuestions: needs.map((q) => ({
        id: q.id, group: q.group.trim(), prompt: q.prompt.trim(), kind: q.kind, required: q.required,
        options: q.kind === NeedKind.CHOICE ? q.options.split("\n").map((o) => o.trim()).filter(Boolean) : [],
      })),
    }),
  };
}
