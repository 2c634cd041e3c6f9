// What the voting handlers share: the tier's database, the directory port, the notifier, the live-results
// cache and the CastBallot batcher. One per host.
import type { Logger } from "pino";
import type { Database } from "../../sys/core/db.js";
import type { Notifier } from "../../sys/core/notifier.js";
import type { DirectoryPort } from "../../sys/core/ports/directory-port.js";
import type { CastQueue } from "./ballots/cast-queue.js";
import type { LiveResults } from "./results/live.js";
import type { TimeFunctions } from "../../sys/timespace/time/time-functions.js";

export interface VotingDeps {
  db: Database;
  directory: DirectoryPort;
  notifier: Notifier;
  logger: Logger;
  live: LiveResults;
  casts: CastQueue;
  /** Zone checks (sys's time library, through the timespace port). */
  time: Pick<TimeFunctions, "isZone">;
}

