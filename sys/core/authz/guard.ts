// The one place where a call is authenticated and authorized, as a plain function so that every serving path
// (Connect router, gRPC fast path) runs exactly the same checks. Handlers never check roles.
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Principal } from "../authn/principal.js";
import type { TokenVerifier } from "../authn/token-verifier.js";
import { apiError, permissionDenied, unauthenticated } from "../errors.js";
import type { AccessDecision, AuthorizationPort } from "../ports/authorization-port.js";
import { TIER_DIRECTORY_PATHS } from "../ports/remote-directory.js";
import { type RateLimit, TIER_IDENTITY_PATHS } from "../rate-limit.js";
import type { AdminNetworkCheck } from "./admin-networks.js";
import type { MethodRule } from "./rules.js";

/** The permission of AuthzService.Check/CheckBatch, which the mod tier's authorization port calls. */
const TIER_AUTHORIZATION_PERMISSION = "sys.authz.check";

export interface GuardOptions {
  rules: Map<string, MethodRule>;
  verifier: TokenVerifier;
  authorization: AuthorizationPort;
  /** Per-principal call limits; none when absent. */
  rateLimit?: RateLimit;
  /** Operational services (health, reflection), never rate limited. */
  exempt?: (service: DescService) => boolean;
  /** The admin allow-list (admin-networks.ts); none when absent. */
  adminNetworks?: AdminNetworkCheck;
  /** Told each decision the authorization port answered (metrics). */
  onDecision?: (decision: AccessDecision) => void;
}

/**
 * Returns the caller (undefined for an anonymous public call) or throws the precise ConnectError.
 * `clientAddress` keys the rate limit of calls without a token.
 */
export type Guard = (path: string, authorization: string | null, message: Record<string, unknown> | undefined, clientAddress?: string) => Promise<Principal | undefined>;

export function createGuard({ rules, verifier, authorization, rateLimit, exempt, adminNetworks, onDecision }: GuardOptions): Guard {
  return async (path, header, message, clientAddress) => {
    const methodRule = rules.get(path);
    if (!methodRule) throw permissionDenied("NO_RULE", `no access rule for ${path}`);
    // Before the token is even read: from outside the admin networks no credential administers the platform.
    adminNetworks?.(methodRule, message, clientAddress);
    const { rule } = methodRule;
    // Counted once the caller is known and before authorization, so a flood never reaches the engine. The mod
    // tier's authorization questions (Check/CheckBatch) are counted per question in their own, much larger
    // bucket per address, whatever credential they carry, and not against any account: the call that caused
    // them was counted where it entered, and mod asks about its anonymous callers from its one address. The
    // directory reads mod makes for anonymous callers (GetCommunity, ListMembers, ListMembershipEvents without a
    // credential: its activity log's membership sync, its background sync loop) go to the same bucket, one each:
    // in the anonymous one, a split mod with more than its few hundred anonymous reads a minute would have its
    // membership sync throttled and its activity log fall behind without a word.
    const metered = rateLimit && !exempt?.(methodRule.method.parent) ? rateLimit : undefined;
    const tierCheck = rule.permission === TIER_AUTHORIZATION_PERMISSION;
    const tierDirectoryRead = !header && TIER_DIRECTORY_PATHS.has(path);
    if (metered && (tierCheck || tierDirectoryRead)) await metered.consumeTierChecks(clientAddress, tierCheck ? questionsIn(message) : 1);
    const meter = tierCheck || tierDirectoryRead ? undefined : metered;
    let principal: Principal | undefined;
    if (header) {
      try {
        principal = await authenticate(verifier, header);
      } catch (error) {
        // A token that does not verify (garbage, forged, expired, revoked) proves nothing about the caller: the
        // call counts against its address like any anonymous one, so a flood of them is limited too.
        await meter?.consume({ address: clientAddress });
        throw error;
      }
    }
    // A service account's identity questions (the mod tier resolving webhook senders) and directory reads (its
    // background work: blasts and notifications reading members) count in the tier bucket.
    if (meter && principal?.kind === "service" && (TIER_IDENTITY_PATHS.has(path) || TIER_DIRECTORY_PATHS.has(path))) await meter.consumeTierChecks(clientAddress, 1);
    else await meter?.consume({ accountId: principal?.accountId, address: clientAddress, unverified: principal?.unverified });
    if (rule.public) return principal;
    // allow_anonymous: a caller without a token is asked about as the anonymous principal (""), which the engine
    // grants only what the resource makes public.
    const anonymous = !principal && !header && rule.allowAnonymous && rule.permission !== "";
    if (!principal && !anonymous) throw unauthenticated("MISSING_CREDENTIALS", "this call needs a bearer access token");
    const resource = methodRule.resourceOf(message);
    let decision;
    try {
      decision = await authorization.check({ principalId: principal?.accountId ?? "", permission: rule.permission, resource, allowRestricted: rule.allowRestricted, bearer: header ?? undefined });
    } catch (error) {
      if (error instanceof ConnectError) throw error;
      throw apiError(Code.Unavailable, "AUTHZ_UNAVAILABLE", "authorization is unavailable");
    }
    onDecision?.(decision);
    if (!decision.allowed) {
      // Not public: signing in might help, so say so rather than "denied".
      if (anonymous) throw unauthenticated("MISSING_CREDENTIALS", "this call needs a bearer access token");
      const what = rule.permission ? `${rule.permission} on ${resource}` : "this call";
      throw permissionDenied(decision.reason.toUpperCase(), `permission denied: ${what} (${decision.reason})`, { permission: rule.permission, resource });
    }
    return principal;
  };
}

/** CheckBatch's questions (bounded by its proto, validated before the guard runs); one for Check. */
function questionsIn(message: Record<string, unknown> | undefined): number {
  const questions = message?.questions;
  return Array.isArray(questions) ? questions.length : 1;
}

async function authenticate(verifier: TokenVerifier, header: string): Promise<Principal> {
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthenticated("MALFORMED_AUTHORIZATION", "authorization header must be `Bearer <token>`");
  try {
    return await verifier.verify(match[1]);
  } catch (error) {
    if (error instanceof ConnectError) throw error;
    const expired = (error as { code?: string }).code === "ERR_JWT_EXPIRED";
    throw unauthenticated(expired ? "TOKEN_EXPIRED" : "INVALID_TOKEN", expired ? "access token expired; refresh it" : "access token is not valid");
  }
}
