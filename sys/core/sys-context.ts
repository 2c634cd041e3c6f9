// What the sys tier's modules share. The host builds it once per process; mod modules never see it.
import type { EntityManager } from "./db.js";
import type { TierContext } from "./module.js";
import type { AccessDecision, AccessQuestion, AuthorizationPort } from "./ports/authorization-port.js";
import type { EmailPort } from "./ports/email-port.js";
import type { Lifecycle } from "./lifecycle.js";
import type { JWTVerifyGetKey } from "jose";
import type { RevocationList } from "./authn/revocation-list.js";

export interface RoleBindingRecord {
  id: string;
  accountId: string;
  role: string;
  resource: string;
  grantedBy: string;
  createdAt: Date;
}

export interface AuditRecord {
  kind: string; // "denied", "role_granted", "role_revoked", "account_disabled", "account_enabled", "account_deleted", ...
  actorId?: string;
  subjectId?: string;
  permission?: string;
  resource?: string;
  role?: string;
  reason?: string;
  method?: string;
}

/** sys-core's decision engine (sys/authz). Handlers never check roles; they ask this or rely on the interceptor. */
export interface AuthzEngine extends AuthorizationPort {
  /**
   * Why `question` is allowed or denied, as `askerId` may see it: oneself and platform roles fully; others only
   * for members of the scope where they hold sys.authz.explain (else NOT_FOUND), without platform roles.
   */
  explain(question: AccessQuestion, askerId: string): Promise<{ decision: AccessDecision; bindings: Array<{ role: string; resource: string; grantsPermission: boolean }> }>;
  /** A decision a handler needs to shape its answer (what to redact), not an access attempt: never audited. */
  checkQuietly(question: AccessQuestion): Promise<AccessDecision>;
  /** Refuses (PERMISSION_DENIED) acting on oneself or on an account ranked above the actor: disable, enable, delete. */
  mayManageAccount(input: { actorId: string; accountId: string }, em?: EntityManager): Promise<void>;
  /** Refuses (PERMISSION_DENIED ROLE_ABOVE_OWN) a role ranked above the actor's on `resource`: the grant rule's rank check, for a grant made later on the actor's word (an invite). */
  mayHandOut(input: { actorId: string; role: string; resource: string }, em?: EntityManager): Promise<void>;
  /** Grants a role; enforces "not above your own, not to yourself" unless `system` is set (bootstrap, org creator). */
  grant(input: { actorId: string; accountId: string; role: string; resource: string; system?: boolean }, em?: EntityManager): Promise<RoleBindingRecord>;
  revoke(input: { actorId: string; accountId: string; role: string; resource: string }, em?: EntityManager): Promise<void>;
  bindingsOf(accountId: string, em?: EntityManager): Promise<RoleBindingRecord[]>;
  /** Orgs the principal may see: "all" for platform roles, else the ids of orgs where it holds any role. */
  visibleOrgIds(principalId: string): Promise<"all" | string[]>;
  /** Projects of one org the principal may see: "all" when an org- or platform-level role covers them. */
  visibleProjectIds(principalId: string, orgId: string): Promise<"all" | string[]>;
  /** Removes every binding of an account (account deletion) or on a resource (org/project deletion). */
  removeBindings(filter: { accountId?: string; resourcePrefix?: string }, em?: EntityManager): Promise<void>;
  hasSuperadmin(): Promise<boolean>;
  audit(record: AuditRecord, em?: EntityManager): Promise<void>;
}

/** Issues and publishes access tokens (sys/auth). */
export interface TokenIssuer {
  issueAccessToken(input: { accountId: string; kind: "person" | "service"; sessionId: string; unverified?: boolean }): Promise<{ token: string; expiresAt: Date }>;
  /** Key getter for the local verifier (one process) — the same keys the JWKS publishes. */
  verificationKeys: JWTVerifyGetKey;
  /** Sessions and accounts revoked while their access tokens may live: the local verifier refuses those. */
  revocations: RevocationList;
  jwks(): Promise<{ keys: object[] }>;
  /** Makes a new signing key when the current one is older than the rotation age. */
  rotateIfDue(): Promise<void>;
}

export interface SysContext extends TierContext {
  engine: AuthzEngine;
  tokens: TokenIssuer;
  mail: EmailPort;
  lifecycle: Lifecycle;
}
