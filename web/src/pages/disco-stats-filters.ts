// The statistics page's query: filters (country, place, age ranges, submission dates) and up to two grouping
// dimensions, read into a StatisticsQuery. Dates are whole days on the browser's clock; "to" includes its day.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { h } from "../dom.js";
import { createPlacePicker } from "../components/place-picker.js";
import { StatisticsDimension, type StatisticsQuerySchema } from "../../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";
import { AGE_RANGES } from "./disco-survey-client.js";

export type StatsQuery = MessageInitShape<typeof StatisticsQuerySchema>;

export const DIMENSIONS: Array<[StatisticsDimension, string]> = [
  [StatisticsDimension.COUNTRY, "country"], [StatisticsDimension.CITY, "city"], [StatisticsDimension.AGE_RANGE, "age range"],
  [StatisticsDimension.DAY, "day"], [StatisticsDimension.WEEK, "week"], [StatisticsDimension.MONTH, "month"],
];

export interface StatsFilters {
  element: HTMLFormElement;
  read(): StatsQuery;
}

const labelled = (id: string, label: string, control: HTMLElement) => h("div", { class: "field" }, h("label", { for: id }, label), control);

function dimensionSelect(id: string, label: string, initial: StatisticsDimension | undefined): HTMLElement {
  return labelled(id, label, h("select", { id, "data-testid": id, "data-field": `query.group_by` },
    h("option", { value: "0" }, "—"), DIMENSIONS.map(([d, l]) => h("option", { value: d, selected: d === initial }, l))));
}

export function statsFilters(onChange: () => void): StatsFilters {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const country = h("input", { id: "stats-country", maxlength: 2, placeholder: "FR", "data-testid": "stats-country", "data-field": "query.filter.country_id" });
  const place = createPlacePicker({ id: "stats-place", label: "Place", testid: "stats-place" });
  place.element.setAttribute("data-field", "query.filter.place_id");
  const ages = AGE_RANGES.map(([v, l]) => h("label", { class: "check" }, h("input", { type: "checkbox", value: v, "data-testid": "stats-age" }), l));
  const from = h("input", { id: "stats-from", type: "date", "data-testid": "stats-from", "data-field": "query.filter.submitted_from" });
  const to = h("input", { id: "stats-to", type: "date", "data-testid": "stats-to", "data-field": "query.filter.submitted_to" });
  const timeZone = h("input", { id: "stats-zone", value: zone, maxlength: 64, "data-testid": "stats-zone", "data-field": "query.time_zone" });
  const form = h("form", { class: "stats-filters", "data-testid": "stats-filters" },
    h("div", { class: "stats-filter-row" },
      labelled("stats-country", "Country (two letters)", country), place.element,
      labelled("stats-from", "Answered from", from), labelled("stats-to", "to (inclusive)", to)),
    h("fieldset", { class: "stats-ages", "data-field": "query.filter.age_ranges" }, h("legend", {}, "Age ranges (none: all)"), ages),
    h("div", { class: "stats-filter-row" },
      dimensionSelect("stats-group-1", "Group by", StatisticsDimension.COUNTRY), dimensionSelect("stats-group-2", "then by", undefined),
      labelled("stats-zone", "Time zone for days, weeks, months", timeZone)),
    h("button", { type: "submit", "data-testid": "stats-apply" }, "Show"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    onChange();
  });

  const day = (input: HTMLInputElement, plusDays = 0) => {
    if (!input.value) return undefined;
    const [y, m, d] = input.value.split("-").map(Number);
    return timestampFromDate(new Date(y, m - 1, d + plusDays));
  };
  return {
    element: form,
    read: () => ({
      filter: {
        countryId: country.value.trim().toUpperCase(),
        placeId: place.value(),
        ageRanges: ages.map((l) => l.querySelector("input")!).filter((c) => c.checked).map((c) => Number(c.value)),
        submittedFrom: day(from),
        submittedTo: day(to, 1),
      },
      groupBy: [...new Set(["stats-group-1", "stats-group-2"].map((id) => Number((form.querySelector(`#${id}`) as HTMLSelectElement).value)).filter(Boolean))],
      timeZone: timeZone.value.trim(),
      language: navigator.language || "en",
    }),
  };
}
