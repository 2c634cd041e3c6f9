// The decision itself, with no I/O: given what the database says about a principal, answer one question.
// Every binding on the resource or an ancestor is considered (not only the first one found), nearest first.
import type { AccessDecision, AccessQuestion } from "../core/ports/authorization-port.js";
import { BASELINE_PERMISSIONS, roleGrants, roleOf, SELF_PERMISSIONS } from "./roles.js";

export interface PrincipalFacts {
  id: string;
  kind: "person" | "service";
  verified: boolean;
  disabled: boolean;
  bindings: Array<{ role: string; resource: string }>;
}

export interface ConsideredBinding {
  role: string;
  resource: string;
  grantsPermission: boolean;
}

export interface Outcome {
  decision: AccessDecision;
  considered: ConsideredBinding[];
}

const deny = (reason: string, considered: ConsideredBinding[] = []): Outcome => ({ decision: { allowed: false, reason }, considered });

/** `ancestors` is the resource itself then each scope above it, ending with "platform". */
export function decide(question: AccessQuestion, principal: PrincipalFacts | undefined, ancestors: string[]): Outcome {
  if (!question.principalId) return deny("unauthenticated");
  if (!principal) return deny("unknown_principal");
  if (!question.allowRestricted) {
    if (principal.disabled) return deny("account_disabled");
    if (principal.kind === "person" && !principal.verified) return deny("email_unverified");
  }
  const { permission, resource } = question;
  const considered: ConsideredBinding[] = [];
  for (const scope of ancestors) {
    for (const binding of principal.bindings) {
      if (binding.resource !== scope) continue;
      const role = roleOf(binding.role);
      considered.push({ role: binding.role, resource: binding.resource, grantsPermission: !!role && permission !== "" && roleGrants(role, permission) });
    }
  }
  if (permission === "") return { decision: { allowed: true, reason: "authenticated" }, considered };
  const granting = considered.find((b) => b.grantsPermission);
  if (granting) return { decision: { allowed: true, reason: "granted", grantedByRole: granting.role, grantedOnResource: granting.resource }, considered };
  if (resource === `account/${principal.id}` && SELF_PERMISSIONS.has(permission)) return { decision: { allowed: true, reason: "self" }, considered };
  if (resource === "platform" && BASELINE_PERMISSIONS[principal.kind].has(permission)) {
    return { decision: { allowed: true, reason: "authenticated" }, considered };
  }
  return deny("no_role", considered);
}
