// The campaign form's repeated parts: pledge thresholds (on a support role of the campaign's survey), historical
// precedents and media links, each as rows of the shared row list, with the proto's limits as input limits.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { h } from "../dom.js";
import { rowField, type RowKind } from "../components/row-list.js";
import { MediaKind, type MediaLinkSchema, type PrecedentSchema, type ThresholdSchema } from "../../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { MEDIA_LABEL } from "./disco-client.js";

export type ThresholdInput = MessageInitShape<typeof ThresholdSchema>;
export type PrecedentInput = MessageInitShape<typeof PrecedentSchema>;
export type MediaInput = MessageInitShape<typeof MediaLinkSchema>;

/** A support role the thresholds may count: the survey's supply questions. */
export interface RoleChoice {
  id: string;
  name: string;
  unit: string;
}

const num = (attrs: Record<string, string | number>, value: number | undefined) =>
  h("input", { type: "number", min: 0, step: "any", ...attrs, value: value ? String(value) : "" });
const text = (attrs: Record<string, string | number | boolean>, value: string | undefined) => h("input", { type: "text", ...attrs, value: value ?? "" });
const numberOf = (el: { value: string }) => (el.value.trim() === "" ? 0 : Number(el.value));

export function thresholdRows(roles: RoleChoice[]): RowKind<ThresholdInput> {
  return {
    testid: "thresholds", legend: "Threshold", addLabel: "Add a threshold", max: 10,
    controls: (t, id) => {
      const role = h("select", { required: true },
        h("option", { value: "" }, roles.length ? "Choose a support role" : "Pick a survey with support roles first"),
        roles.map((r) => h("option", { value: r.id, selected: r.id === t?.supplyQuestionId }, `${r.name}${r.unit ? ` (${r.unit})` : ""}`)));
      const keep = h("input", { type: "hidden", value: t?.id ?? "" });
      keep.dataset.key = "id";
      return [
        rowField("Label", "label", id, text({ maxlength: 200, placeholder: "200 people pledge 10 hours" }, t?.label)),
        rowField("Support role", "role", id, role),
        rowField("Minimum pledge per person", "min", id, num({ max: 1e10 }, t?.minAmountPerPerson)),
        rowField("People required", "people", id, num({ step: 1, max: 1_000_000_000 }, t?.peopleRequired)),
        rowField("Total amount required", "total", id, num({ max: 1e10 }, t?.totalAmountRequired)),
        keep,
      ];
    },
    read: (get) => ({
      id: get("id").value, label: get("label").value.trim(), supplyQuestionId: get("role").value,
      minAmountPerPerson: numberOf(get("min")), peopleRequired: Math.trunc(numberOf(get("people"))), totalAmountRequired: numberOf(get("total")),
    }),
  };
}

export const precedentRows: RowKind<PrecedentInput> = {
  testid: "precedents", legend: "Precedent", addLabel: "Add a precedent", max: 20,
  controls: (p, id) => [
    rowField("Title", "title", id, text({ required: true, maxlength: 200 }, p?.title)),
    rowField("Year", "year", id, num({ step: 1, min: -5000, max: 2200 }, p?.year)),
    rowField("Place", "place", id, text({ maxlength: 200 }, p?.place)),
    rowField("Link (https://…)", "url", id, h("input", { type: "url", maxlength: 500, pattern: "https://.*", value: p?.url ?? "" })),
    rowField("Summary", "summary", id, h("textarea", { rows: 2, maxlength: 2000 }, p?.summary ?? "")),
  ],
  read: (get) => ({
    title: get("title").value.trim(), year: Math.trunc(numberOf(get("year"))), place: get("place").value.trim(),
    url: get("url").value.trim(), summary: get("summary").value.trim(),
  }),
};

const MEDIA_KINDS = [MediaKind.VIDEO, MediaKind.IMAGE, MediaKind.ARTICLE, MediaKind.AUDIO, MediaKind.SOCIAL, MediaKind.OTHER];

export const mediaRows: RowKind<MediaInput> = {
  testid: "media", legend: "Media link", addLabel: "Add a media link", max: 20,
  controls: (m, id) => [
    rowField("Kind", "kind", id, h("select", {}, MEDIA_KINDS.map((k) => h("option", { value: String(k), selected: k === (m?.kind ?? MediaKind.ARTICLE) }, MEDIA_LABEL[k])))),
    rowField("Link (https://…)", "url", id, h("input", { type: "url", required: true, maxlength: 500, pattern: "https://.*", value: m?.url ?? "" })),
    rowField("Title", "title", id, text({ maxlength: 200 }, m?.title)),
  ],
  read: (get) => ({ kind: Number(get("kind").value) as MediaKind, url: get("url").value.trim(), title: get("title").value.trim() }),
};
