// Placeholder until the disco survey protos land; replaced by the real page.
import { h } from "../dom.js";

export function statsPage(projectId: string, surveyId: string, query: URLSearchParams): Node {
  return h("section", { class: "card" }, h("p", { class: "muted" }, "This page is being built."));
}
