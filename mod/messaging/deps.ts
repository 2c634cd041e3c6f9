// What the messaging module's areas share: one per module instance (two hosts in one process share nothing).
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Config } from "../../sys/core/config.js";
import type { Database } from "../../sys/core/db.js";
import type { JobQueue } from "../../sys/core/jobs/job-queue.js";
import type { Notifier } from "../../sys/core/notifier.js";
import type { AuthorizationPort } from "../../sys/core/ports/authorization-port.js";
import type { DirectoryPort } from "../../sys/core/ports/directory-port.js";
import type { Keyring } from "../../sys/core/secrets/keyring.js";
import type { TimeFunctions } from "../../sys/timespace/time/time-functions.js";
import type { NotificationSources } from "./notifications/sources.js";

export interface MessagingDeps extends NotificationSources {
  db: Database;
  config: Config;
  logger: Logger;
  authz: AuthorizationPort;
  /** Community members are messaged as contacts through sys's directory, never copied. */
  directory: DirectoryPort;
  /** Seals provider credentials at rest (the same keyring as governance secrets). */
  secrets: Keyring;
  notifier: Notifier;
  /** The durable job queue (sends are enqueued in the transaction that creates the message). */
  jobs: JobQueue;
  /** Outgoing HTTP for providers (refuses private addresses unless the operator allows them). */
  fetch: typeof fetch;
  /** The server's own base URL (unsubscribe links, status callbacks); throws until the port listens. */
  selfUrl: () => string;
  /** Zones, wall times and quiet hours (sys's time library, through the timespace port). */
  time: TimeFunctions;
  /** The host's /metrics registry (the sender's counters and latencies); absent in contexts built by hand. */
  metrics?: Registry;
}
