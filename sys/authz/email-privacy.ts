// The one place that decides whether a caller sees other people's email addresses. Members see each other's
// names; emails (and searching by email, which would tell who owns an address) are for holders of
// sys.account.read_email on the resource listed: its org, project or community admins, platform roles, and
// each person for their own account. Every list or get of sys that returns accounts or members asks here.
import type { AuthzEngine } from "../core/sys-context.js";
import { READ_EMAIL_PERMISSION, SELF_PERMISSIONS } from "./roles.js";

export { READ_EMAIL_PERMISSION };

export type EmailVisibility = (callerId: string | undefined, resource: string) => Promise<boolean>;

export function createEmailVisibility(engine: Pick<AuthzEngine, "checkQuietly">): EmailVisibility {
  return async function mayReadEmails(callerId, resource) {
    if (!callerId) return false;
    // One's own account needs no query (GetAccount of oneself is every client's hot path).
    if (resource === `account/${callerId}` && SELF_PERMISSIONS.has(READ_EMAIL_PERMISSION)) return true;
    // The guard has judged the caller's account state for the call itself; this asks only about roles.
    return (await engine.checkQuietly({ principalId: callerId, permission: READ_EMAIL_PERMISSION, resource, allowRestricted: true })).allowed;
  };
}
