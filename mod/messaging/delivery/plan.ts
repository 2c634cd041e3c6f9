// Where a message stands in its chain, from the attempts of its current round: the provider to try next (and
// which attempt on it that is), or nothing left. A provider is done when it failed permanently or used up its
// attempts; the chain is read afresh each time, so an admin's edit applies to the next step.
import type { AttemptRow } from "./attempts.js";

export type NextStep =
  | { kind: "try"; providerIndex: number; attempt: number; previous?: AttemptRow }
  | { kind: "exhausted"; last?: AttemptRow };

export function nextStep(chain: string[], attempts: AttemptRow[], attemptsPerProvider: number): NextStep {
  const finished = attempts.filter((a) => a.outcome !== null);
  const last = finished.at(-1);
  for (let i = 0; i < chain.length; i++) {
    const mine = finished.filter((a) => a.provider_id === chain[i]);
    const done = mine.some((a) => a.outcome === "permanent" || a.outcome === "sent") || mine.length >= attemptsPerProvider;
    if (!done) return { kind: "try", providerIndex: i, attempt: mine.length + 1, previous: last };
  }
  return { kind: "exhausted", last };
}

/** "sms-gateway #2: 500 Internal Server Error" — one attempt, as it appears in a FAILED message's reason. */
export function describeAttempt(a: AttemptRow, names: Map<string, string>): string {
  return `${names.get(a.provider_id) ?? a.provider_id} #${a.attempt} ${a.outcome}: ${a.reason ?? ""}`.trim();
}
