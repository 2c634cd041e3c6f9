// How any tier asks sys-core's decision engine. One process: a direct call into the engine. Two binaries:
// a Connect gRPC client on one long-lived HTTP/2 connection, batched and cached (remote-authorization.ts).
import type { Metric } from "prom-client";

export interface AccessQuestion {
  // Account id; "" for an anonymous caller.
  principalId: string;
  // "" asks only whether the principal may act at all.
  permission: string;
  // "platform", "org/<id>", "project/<id>", "account/<id>", "community/<id>".
  resource: string;
  allowRestricted?: boolean;
  // The caller's own "Bearer …" header: the remote adapter forwards it so sys authenticates the question as
  // that caller, with no shared secret between tiers. The in-process adapter ignores it.
  bearer?: string;
}

export interface AccessDecision {
  allowed: boolean;
  // Stable machine reason: "granted", "self", "no_role", "account_disabled", "email_unverified",
  // "unknown_principal", "unauthenticated", "sys_unavailable".
  reason: string;
  grantedByRole?: string;
  grantedOnResource?: string;
  /** True when the port answered from its decision cache rather than asking the engine. */
  cached?: boolean;
}

export interface AuthorizationPort {
  check(question: AccessQuestion): Promise<AccessDecision>;
  checkBatch(questions: AccessQuestion[]): Promise<AccessDecision[]>;
  /** False while the port cannot reach the engine (the remote adapter when sys is down). */
  isAvailable(): boolean;
  /** Drops cached decisions (after a role change in this process). */
  invalidate?(): void;
  close?(): Promise<void>;
  /** The port's own Prometheus metrics (its decision cache's), registered by the host on its registry. */
  metrics?: Metric[];
}
