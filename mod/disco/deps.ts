// What the disco module's areas share: one per module instance (two hosts in one process share nothing).
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Config } from "../../sys/core/config.js";
import type { Database, EntityManager } from "../../sys/core/db.js";
import type { JobQueue } from "../../sys/core/jobs/job-queue.js";
import type { Notifier } from "../../sys/core/notifier.js";
import type { AuthorizationPort } from "../../sys/core/ports/authorization-port.js";
import type { DirectoryPort } from "../../sys/core/ports/directory-port.js";
import type { TimespacePort } from "../../sys/core/ports/timespace-port.js";
import type { TimeFunctions } from "../../sys/timespace/time/time-functions.js";

/** Whose pledges changed: a survey answer set was saved, updated, withdrawn or claimed. */
export interface PledgeChange {
  orgId: string;
  projectId: string;
  surveyProjectId: string;
}

export interface DiscoDeps {
  db: Database;
  config: Config;
  logger: Logger;
  authz: AuthorizationPort;
  directory: DirectoryPort;
  /** sys's places and time functions; throws UNAVAILABLE when the host has none. */
  timespace: () => TimespacePort;
  /** Zones and wall times (the port's time functions: the same pure library when a context has no port). */
  time: TimeFunctions;
  notifier: Notifier;
  jobs: JobQueue;
  metrics?: Registry;
  /** Every area's onPledgesChanged, called by the surveys area inside the transaction that changed pledges. */
  pledgesChanged(tx: EntityManager, change: PledgeChange): Promise<void>;
}
