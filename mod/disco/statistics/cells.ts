// The privacy rules of disco statistics (the proto's rules 1–4), as pure functions over counts of people, so
// the handler, the CSV and the tests share one reading of them.

/** Why a number is not shown; "" when it is. */
export type Hidden = "" | "below" | "complementary" | "withheld";

/** A count is shown when it is zero or at least `k`: 1 to k-1 people could be singled out. */
export const isSmall = (count: number, k: number) => count > 0 && count < k;

/**
 * Suppression of the cells of one distribution over `total` people (pledged or not; yes / no; the options of
 * a choice). `counts` are the shown cells; whatever `total` holds beyond them is a hidden remainder anyone can
 * compute by subtraction, so it takes part too. Small cells are hidden, then more cells, smallest first, until
 * the hidden people (remainder included) are at least two cells and at least `k` people together, so no
 * subtraction isolates fewer than `k`.
 */
export function suppressCells(counts: number[], total: number, k: number): Hidden[] {
  const hidden: Hidden[] = counts.map((c) => (isSmall(c, k) ? "below" : ""));
  const remainder = Math.max(0, total - counts.reduce((a, b) => a + b, 0));
  const unsafe = () => {
    const hiddenCounts = counts.filter((_, i) => hidden[i] !== "");
    if (remainder > 0) hiddenCounts.push(remainder);
    if (!hiddenCounts.some((c) => isSmall(c, k))) return false;
    return hiddenCounts.length < 2 || hiddenCounts.reduce((a, b) => a + b, 0) < k;
  };
  while (unsafe()) {
    let pick = -1;
    counts.forEach((c, i) => {
      if (hidden[i] === "" && c > 0 && (pick < 0 || c < counts[pick]!)) pick = i;
    });
    // Only when total < k, which callers rule out by hiding the whole distribution first.
    if (pick < 0) break;
    hidden[pick] = "complementary";
  }
  return hidden;
}

/**
 * Group-level rules: a group below `k` respondents is hidden; when the whole population is 1 to k-1 all is;
 * when any group is hidden the total is withheld, so "total minus the shown groups" reveals nothing.
 */
export function suppressGroups(groupCounts: number[], total: number, k: number): { groups: Hidden[]; total: Hidden } {
  if (isSmall(total, k)) return { groups: groupCounts.map(() => "below"), total: "below" };
  const groups: Hidden[] = groupCounts.map((c) => (c < k ? "below" : ""));
  return { groups, total: groups.some((h) => h !== "") ? "withheld" : "" };
}
