// What the sys tier's modules share. The composition root builds one per host (two hosts in one process get two
// and share nothing); mod modules never see it.
import type { EntityManager } from "./db.js";
import type { TierContext } from "./module.js";
import type { AccessDecision, AccessQuestion, AuthorizationPort } from "./ports/authorization-port.js";
import type { EmailPort } from "./ports/email-port.js";
import type { Lifecycle } from "./lifecycle.js";
import type { JWTVerifyGetKey } from "jose";
import type { RevocationList } from "./authn/revocation-list.js";
import type { KeyInUse } from "./authn/token-verifier.js";

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

/** Returns the parent resource of `<kind>/<id>` ("org/…"), or undefined when the row does not exist (yet). */
export type ParentResolver = (id: string, em: EntityManager) => Promise<string | undefined>;

/** The permissions `<kind>/<id>` makes public right now; an empty set when none (or when it does not exist). */
export type PublicResolver = (id: string) => Promise<ReadonlySet<string>>;

/** sys-core's decision engine (sys/authz). Handlers never check roles; they ask this or rely on the interceptor. */
export interface AuthzEngine extends AuthorizationPort {
  /**
   * Where resources sit: each module registers the kinds it owns (`project`, `community`, …) on its host's
   * engine. Kinds without a resolver hang off "platform"; "org" always does.
   */
  resources: { registerParent(kind: string, resolve: ParentResolver): void };
  /**
   * What resources make public (to everyone, signed in or not), per kind: `kind` is the part before the slash,
   * or the whole name of a singleton ("platform"). Answers are cached briefly; the owning module invalidates
   * after its own changes (one resource, or all).
   */
  publicPermissions: { register(kind: string, resolve: PublicResolver): void; invalidate(resource?: string): void };
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
  /** Whether a key still verifies (false once withdrawn), for tokens the verifier answers from its cache. */
  keyInUse: KeyInUse;
  /** Sessions and accounts revoked while their access tokens may live: the local verifier refuses those. */
  revocations: RevocationList;
  /**
   * Revokes active sessions matching the filter (`exceptSessionId` keeps the caller's own), in `em`'s
   * transaction: their access tokens are refused from the commit on, on every replica. A whole account's (no
   * session, no exception) also refuses its session-less API-key tokens. Returns how many were revoked.
   */
  revokeSessions(em: EntityManager, filter: { sessionId?: string; accountId?: string; exceptSessionId?: string }, reason: string): Promise<number>;
  /** Loads recent revocations, then keeps `revocations` true across replicas until the returned stop is called. */
  followRevocations(): Promise<() => Promise<void>>;
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
