// Approval: each ballot approves any number of options (between minSelections and maxSelections, checked by
// validate.ts); every approved option receives the ballot's full weight. The most-approved option wins; with
// seats > 1, the `seats` most-approved options win. Tie-break: the seeded option order, every tie logged.

import { countChoices } from "./plurality.js";
import type { ChoiceBallot, Result, TallyConfig } from "./types.js";

export function approval(ballots: Iterable<ChoiceBallot>, config: TallyConfig): Result {
  return countChoices("approval", ballots, config);
}
