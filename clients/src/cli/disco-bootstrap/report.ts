// What a bootstrap run did (or, dry, would do), one line per thing: created, updated (with the fields that
// changed) or unchanged. A second run of the same file reports only "unchanged".
export type Outcome = "created" | "updated" | "unchanged";

export interface Change {
  outcome: Outcome;
  /** "org open-coop", "project open-coop/repair", "campaign open-coop/repair \"Fix 100 bikes\"" */
  what: string;
  fields: string[];
}

export interface Reporter {
  dryRun: boolean;
  changes: Change[];
  note(outcome: Outcome, what: string, fields?: string[]): void;
}

export function createReporter(dryRun: boolean, print: (line: string) => void): Reporter {
  const changes: Change[] = [];
  return {
    dryRun,
    changes,
    note(outcome, what, fields = []) {
      changes.push({ outcome, what, fields });
      const verb = dryRun && outcome !== "unchanged" ? `would be ${outcome}` : outcome;
      print(`${verb.padEnd(16)} ${what}${fields.length ? ` (${fields.join(", ")})` : ""}`);
    },
  };
}

/** The names of the fields whose values differ (compared as JSON, so arrays and nested objects count). */
export function changedFields<T extends Record<string, unknown>>(current: T, desired: T): string[] {
  return Object.keys(desired).filter((k) => JSON.stringify(current[k]) !== JSON.stringify(desired[k]));
}
