// What the contributions module's parts share: the tier's database, the governance port (GitHub events and
// actions) and the identity port (which Polity account a GitHub user is), both read when needed because the
// modules providing them start around this one.
import type { Logger } from "pino";
import type { Database } from "../../sys/core/db.js";
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
  // A failing identity service throws: the event is retried, rather than its contributor taken as unregistered.
  return (await identity.accountFor("github", String(githubId)))?.accountId;
}

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
