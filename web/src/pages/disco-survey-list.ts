// Placeholder until the disco survey protos land; replaced by the real page.
import { h } from "../dom.js";

export function surveyListPage(projectId: string): Node {
  return h("section", { class: "card" }, h("p", { class: "muted" }, "This page is being built."));
}
