// A worker process for the blast crash test: expands one blast chunk by chunk (BLAST_ID, CHUNK), printing
// `CHUNK <created>` after each commit, so the test can kill it with SIGKILL mid-chunk.
import pino from "pino";
import { contactsArea } from "../../mod/messaging/contacts/area.js";
import { blastsArea } from "../../mod/messaging/blasts/area.js";
import { expandNextChunk } from "../../mod/messaging/blasts/expand.js";
import type { MessagingDeps } from "../../mod/messaging/deps.js";
import { timeFunctions } from "../../sys/timespace/time/index.js";
import { messagesArea } from "../../mod/messaging/messages/area.js";
import { templatesArea } from "../../mod/messaging/templates/area.js";
import { loadConfig } from "../../sys/core/config.js";
import { openDatabase } from "../../sys/core/db.js";
import { createJobQueue } from "../../sys/core/jobs/pg-boss-queue.js";
import { createNotifier } from "../../sys/core/notifier.js";

const areas = [contactsArea, messagesArea, templatesArea, blastsArea];
const config = loadConfig({ env: { ...process.env, POLITY_PORT: "0" } });
const logger = pino({ level: "warn" });
const db = await openDatabase({ tier: "mod", config, logger, entities: areas.flatMap((a) => a.entities), migrations: [] });
const jobs = createJobQueue(db, logger);
await jobs.start();
const deps = { db, config, logger, jobs, notifier: createNotifier(db, logger), time: timeFunctions } as unknown as MessagingDeps;
process.stdout.write("READY\n");
for (;;) {
  const step = await expandNextChunk(deps, { blastId: process.env.BLAST_ID!, chunk: Number(process.env.CHUNK) });
  if (!step) break;
  process.stdout.write(`CHUNK ${step.created}\n`);
}
process.stdout.write("DONE\n");
