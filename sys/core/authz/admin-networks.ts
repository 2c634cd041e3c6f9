// The admin allow-list (adminAllowedNetworks): platform administration is refused, before any token is looked
// at, to clients outside the listed networks — a stolen superadmin token is no use from elsewhere.
//
// A call administers the platform when its rule names a permission on `platform`: declared (the rule has no
// resource) or taken from the request (a `{resource}` template the caller set to "platform", as granting a
// platform role), except the permissions every active account holds on `platform` (asking about itself,
// founding an org). Today: ListAccounts, ListAuditEvents, ResolveIdentity, LookupIdentities, MergeIdentities,
// and Explain, GrantRole, RevokeRole and ListRoleBindings on "platform".
//
// The client address is client-address.ts's: the peer, or x-forwarded-for as far as trustedProxies vouch for it.
// A mod process forwarding sys calls appends its own peer to x-forwarded-for, so sys judges the original
// client — provided the mod's address is in sys's trustedProxies. Calls the mod tier makes on its own account
// (resolving a webhook sender) come from the mod's address, which must then be in the list too.
import proxyAddr from "proxy-addr";
import { permissionDenied } from "../errors.js";
import type { MethodRule } from "./rules.js";

/** What every active account may do on `platform` without a role (BASELINE_PERMISSIONS of the sys authz module). */
export const EVERY_ACCOUNT_ON_PLATFORM: ReadonlySet<string> = new Set(["sys.authz.check", "sys.org.create"]);

/** Throws ADMIN_NETWORK_DENIED for a platform-administration call from outside the list; nothing when the list is empty. */
export type AdminNetworkCheck = (methodRule: MethodRule, message: Record<string, unknown> | undefined, clientAddress: string | undefined) => void;

export function createAdminNetworkCheck(allowedNetworks: string[]): AdminNetworkCheck | undefined {
  if (allowedNetworks.length === 0) return undefined;
  const allowed = proxyAddr.compile(allowedNetworks);
  return (methodRule, message, clientAddress) => {
    if (!administersPlatform(methodRule, message)) return;
    if (clientAddress && allowed(clientAddress, 0)) return;
    throw permissionDenied("ADMIN_NETWORK_DENIED", `platform administration is not allowed from ${clientAddress || "an unknown address"}`);
  };
}

export function administersPlatform({ rule, resourceOf }: MethodRule, message: Record<string, unknown> | undefined): boolean {
  if (!rule.permission || EVERY_ACCOUNT_ON_PLATFORM.has(rule.permission)) return false;
  if (rule.resource === "") return true;
  // Only a template that is one field can name "platform"; a missing field is the guard's INVALID_ARGUMENT later.
  if (!/^\{[^}]+\}$/.test(rule.resource)) return false;
  try {
    return resourceOf(message) === "platform";
  } catch {
    return false;
  }
}
