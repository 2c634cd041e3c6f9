// The AgeRange enum of the contract ↔ the value stored in disco_answer_sets.age_range (statistics read both).
import { AgeRange } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import type { AgeRangeValue } from "./entities.js";

const STORED: Record<Exclude<AgeRange, AgeRange.AGE_RANGE_UNSPECIFIED>, AgeRangeValue> = {
  [AgeRange.AGE_RANGE_UNDER_18]: "under18",
  [AgeRange.AGE_RANGE_18_24]: "18-24",
  [AgeRange.AGE_RANGE_25_34]: "25-34",
  [AgeRange.AGE_RANGE_35_44]: "35-44",
  [AgeRange.AGE_RANGE_45_54]: "45-54",
  [AgeRange.AGE_RANGE_55_64]: "55-64",
  [AgeRange.AGE_RANGE_65_PLUS]: "65plus",
};
const BY_VALUE = new Map(Object.entries(STORED).map(([e, v]) => [v, Number(e) as AgeRange]));

/** The stored value of an age range; null for unspecified. */
export function storedAgeRange(range: AgeRange): AgeRangeValue | null {
  return range === AgeRange.AGE_RANGE_UNSPECIFIED ? null : STORED[range];
}

/** The enum of a stored value ("25-34"); unspecified for null or anything unknown. */
export function ageRangeOf(value: string | null | undefined): AgeRange {
  return (value && BY_VALUE.get(value as AgeRangeValue)) || AgeRange.AGE_RANGE_UNSPECIFIED;
}
