// The cells of the matrix: every RPC × each variant of its request × every principal × (when the rule names a
// resource) the principals' own org and another org (own org only for revoked tokens).
import { CASES } from "./matrix-cases.js";
import { type Fixture, PRINCIPALS } from "./matrix-fixture.js";
import type { PlannedCell } from "./matrix-run.js";
import type { RpcRule } from "./matrix-rules.js";

export interface Plan {
  early: PlannedCell[];
  late: PlannedCell[];
  /** RPCs without a rule, or without a request in CASES: the matrix cannot vouch for them. */
  uncovered: string[];
}

export const caseKey = (rpc: RpcRule) => `${rpc.service.name}/${rpc.method.name}`;

export function planMatrix(fx: Fixture, rpcs: RpcRule[]): Plan {
  const plan: Plan = { early: [], late: [], uncovered: [] };
  for (const rpc of rpcs) {
    const kase = CASES[caseKey(rpc)];
    if (!rpc.rule) plan.uncovered.push(`${rpc.name}: no polity.options.v1.rule`);
    if (!kase) plan.uncovered.push(`${rpc.name}: no request in test/robustness/support/matrix-cases.ts`);
    if (!rpc.rule || !kase) continue;
    const perOrg = rpc.rule.resource !== "";
    for (const variant of Object.keys(kase.variants)) {
      const orgs = perOrg && !kase.orgless?.includes(variant) ? [fx.orgs.A, fx.orgs.B] : [fx.orgs.A];
      for (const org of orgs) {
        for (const name of PRINCIPALS) {
          const who = fx.actors[name];
          // A revoked token is refused before any resource is looked at: its own org is enough.
          if (who.revoked && org !== fx.orgs.A) continue;
          (kase.late ? plan.late : plan.early).push({ rpc, kase, variant, who, org, perOrg });
        }
      }
    }
  }
  return plan;
}

export function unusedCases(rpcs: RpcRule[]): string[] {
  const known = new Set(rpcs.map(caseKey));
  return Object.keys(CASES).filter((k) => !known.has(k));
}
