// What the governance module's parts share: one per module instance (two hosts in one process share nothing).
import type { Logger } from "pino";
import type { Config } from "../../sys/core/config.js";
import type { Database } from "../../sys/core/db.js";
import type { DomainMetrics } from "../../sys/core/domain-metrics.js";
import type { Notifier } from "../../sys/core/notifier.js";
import type { AuthorizationPort } from "../../sys/core/ports/authorization-port.js";
import type { VotingPort } from "../voting/index.js";
import type { PluginRegistry } from "./registry.js";

/** Seals and opens secrets at rest; `context` (a row id) binds a sealed value to its row. */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

export interface GovernanceDeps {
  db: Database;
  config: Config;
  logger: Logger;
  registry: PluginRegistry;
  secrets: SecretBox;
  authz: AuthorizationPort;
  notifier: Notifier;
  /** Outgoing HTTP for plugins and deliveries (refuses private addresses unless the operator allows them). */
  fetch: typeof fetch;
  voting?: VotingPort;
  /** Deliveries and incoming webhooks, counted on the host's /metrics; absent in deps built by hand. */
  metrics?: DomainMetrics;
  /** Asks the background worker to look for work now (a webhook arrived, a delivery was queued). */
  wake(): void;
}

/** Wakes workers on every replica (after commit); the payload is unused. */
export const WORK_CHANNEL = "governance:work";
export const eventsChannel = (communityId: string) => `governance:ev:${communityId}`;
