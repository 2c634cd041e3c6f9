// The tally engine's configuration of a poll: one definition for the server (from the stored row) and the
// activity-log audit (audit.ts, from the poll's protobuf JSON in the log), so both count a poll the same way.
import type { Method, TallyConfig } from "./types.js";

export interface TallySettings {
  id: string;
  method: Method;
  optionIds: string[];
  seats: number;
  minSelections: number;
  maxSelections: number;
  maxScore: number;
  passThresholdPercent: number;
  tieBreakSeed: string;
}

export function tallyConfigFor(s: TallySettings): TallyConfig {
  const threshold = s.passThresholdPercent;
  return {
    options: s.optionIds,
    seed: s.tieBreakSeed || s.id,
    seats: s.seats || 1,
    minSelections: s.method === "approval" ? s.minSelections || 1 : undefined,
    maxSelections: s.method === "approval" ? s.maxSelections || s.optionIds.length : undefined,
    minScore: 0,
    maxScore: s.maxScore || 5,
    // 0 means a simple majority (> 50 %); an explicit threshold is "at least".
    passThreshold: threshold > 0 ? threshold / 100 : 0.5,
    passRule: threshold > 0 ? "at-least" : "more-than",
  };
}
