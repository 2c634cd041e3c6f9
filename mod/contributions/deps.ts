// What the contributions module's parts share: the tier's database, the governance port (GitHub events and
// actions) and the identity port (which Polity account a GitHub user is), both read when needed because the
// modules providing them start around this one.
import type { Logger } from "pino";
import type { Database } from "../../sys/core/db.js";
import { reasonOf } from "../../sys/core/errors.js";
import type { IdentityPort } from "../../sys/core/ports/identity-port.js";
import type { GovernancePort } from "../governance/index.js";

export interface ContributionsDeps {
  db: Database;
  logger: Logger;
  governance: () => GovernancePort;
  /** Undefined when the host has no identity port: nobody is registered, so nothing is credited. */
  identity: () => IdentityPort | undefined;
}

/** The Polity account linked to a GitHub user (by GitHub's numeric id, which survives a rename). */
export async function accountOfGithubUser(deps: ContributionsDeps, githubId: number | undefined): Promise<string | undefined> {
  const identity = deps.identity();
  if (!identity || githubId === undefined) return undefined;
  try {
    return (await identity.accountFor("github", String(githubId)))?.accountId;
  } catch (error) {
    // A mod tier without (or with a refused) service credential cannot ask: as good as nobody registered, until
    // the operator sets it (reconciliation then credits). Anything else (sys down) throws, and the event is retried.
    if (MISCONFIGURED.has(reasonOf(error) ?? "")) {
      deps.logger.warn({ reason: reasonOf(error) }, "contributions: linked identities cannot be read; nobody is credited until they can");
      return undefined;
    }
    throw error;
  }
}

const MISCONFIGURED = new Set(["IDENTITY_CREDENTIALS_MISSING", "IDENTITY_CREDENTIALS_REFUSED"]);

/**
 * The GitHub id of a login (issue forms name mentors by login), asked of GitHub through the community's
 * instance; undefined when GitHub does not know it or cannot be asked now (reconciliation asks again).
 */
export async function githubIdOfLogin(deps: ContributionsDeps, communityId: string, instanceId: string, login: string): Promise<number | undefined> {
  try {
    const user = (await deps.governance().runAction(communityId, "github.method", { method: "GET", route: "/users/{username}", parameters: { username: login } }, instanceId)) as { id?: unknown } | null;
    return typeof user?.id === "number" ? user.id : undefined;
  } catch (error) {
    deps.logger.warn({ err: error, login }, "contributions: could not look up a mentor's GitHub id");
    return undefined;
  }
}
