// Blast expansion on PostgreSQL, driven step by step (no server): chunks advance the cursor in the transaction
// that creates their messages; a replayed chunk (a worker killed after its commit was lost, or run twice)
// creates no recipient twice; concurrent workers share a blast without overlap; recipients get their language's
// variant and a send time in their own zone past quiet hours; progress stays cheap at 100,000 messages;
// cancelling turns pending messages CANCELLED and a blast with nothing left pending becomes DONE.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateBlastRequestSchema } from "../../clients/src/gen/polity/mod/messaging/v1/blasts_pb.js";
import { Channel, MessageState } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { blastProgress, cancelPendingChunk, markDone } from "../../mod/messaging/blasts/blast-messages.js";
import { blastsArea } from "../../mod/messaging/blasts/area.js";
import { createBlast } from "../../mod/messaging/blasts/create-blast.js";
import { blastStates } from "../../mod/messaging/blasts/gate.js";
import { expandNextChunk } from "../../mod/messaging/blasts/expand.js";
import { contactsArea } from "../../mod/messaging/contacts/area.js";
import type { MessagingDeps } from "../../mod/messaging/deps.js";
import { timeFunctions } from "../../sys/timespace/time/index.js";
import { messagesArea } from "../../mod/messaging/messages/area.js";
import { templatesArea } from "../../mod/messaging/templates/area.js";
import { TemplateEntity } from "../../mod/messaging/templates/entities.js";
import { loadConfig } from "../../sys/core/config.js";
import { openDatabase, type Database } from "../../sys/core/db.js";
import { createJobQueue, type JobQueueService } from "../../sys/core/jobs/pg-boss-queue.js";
import { createNotifier, type Notifier } from "../../sys/core/notifier.js";
import { reasonOf } from "../../sys/core/errors.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { repoRoot } from "../support/server.js";

const areas = [contactsArea, messagesArea, templatesArea, blastsArea];
const orgId = crypto.randomUUID();
const admin = crypto.randomUUID();
let database: TestDatabase;
let db: Database;
let jobs: JobQueueService;
let notifier: Notifier;
let deps: MessagingDeps;
let sql: pg.Client;
let dataDir: string;
let templateId: string;

beforeAll(async () => {
  database = await createTestDatabase("blast_expand");
  dataDir = mkdtempSync(join(tmpdir(), "polity-blast-"));
  const config = loadConfig({ env: { POLITY_DATA_DIR: dataDir } });
  const logger = pino({ level: "silent" });
  db = await openDatabase({ tier: "mod", config, logger, entities: areas.flatMap((a) => a.entities), migrations: areas.flatMap((a) => a.migrations), url: database.url });
  await db.migrate();
  jobs = createJobQueue(db, logger);
  await jobs.start();
  notifier = createNotifier(db, logger);
  deps = { db, config, logger, notifier, jobs, time: timeFunctions } as unknown as MessagingDeps;
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  templateId = crypto.randomUUID();
  const em = db.em();
  em.create(TemplateEntity, {
    id: templateId, orgId, name: "news", category: "news", defaultLanguage: "en", createdBy: admin, createdAt: new Date(), updatedAt: new Date(),
    variants: [
      { language: "en", subject: "News for {{name}}", text: "Hello {{name}}: {{headline}}", html: "<p>Hello {{name}}: {{headline}}</p>" },
      { language: "fr", subject: "Nouvelles pour {{name}}", text: "Bonjour {{name}} : {{headline}}" },
    ],
  });
  await em.flush();
}, 60_000);

afterAll(async () => {
  await sql?.end();
  await notifier?.close();
  await jobs?.stop();
  await db?.close();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Contacts with a webhook address; `consented: false` ones must be skipped. */
async function addContacts(list: Array<{ name: string; language?: string; timeZone?: string; categories: string[]; consented?: boolean }>): Promise<string[]> {
  const ids: string[] = [];
  for (const c of list) {
    const id = crypto.randomUUID();
    ids.push(id);
    await sql.query(
      `insert into mod.messaging_contacts (id, org_id, community_id, name, language, time_zone, default_region, categories, created_at, updated_at)
       values ($1, $2, null, $3, $4, $5, '', $6, now(), now())`, [id, orgId, c.name, c.language ?? "", c.timeZone ?? "", c.categories]);
    await sql.query(
      `insert into mod.messaging_contact_addresses (contact_id, channel, org_id, address, consent_granted, consent_source, consent_at, opted_out_at)
       values ($1, $2, $3, $4, $5, 'test', now(), null)`, [id, Channel.WEBHOOK, orgId, `https://hooks.example.org/${id}`, c.consented ?? true]);
  }
  return ids;
}

type BlastInit = MessageInitShape<typeof CreateBlastRequestSchema> & { categories: string[] };

async function newBlast(fields: BlastInit) {
  const { categories, ...rest } = fields;
  const req = create(CreateBlastRequestSchema, { orgId, name: `blast ${Math.random()}`, templateId, variables: { headline: "We <3 Tom & Jerry" }, filter: { categories, channel: Channel.WEBHOOK }, ...rest } as BlastInit);
  return createBlast(deps, req, admin);
}

const messagesOf = async (blastId: string) =>
  (await sql.query<{ contact_id: string; language: string; subject: string; text: string; html: string | null; send_at: Date; state: number; idempotency_key: string }>(
    `select contact_id, language, subject, text, html, send_at, state, idempotency_key from mod.messaging_messages where blast_id = $1 order by contact_id`, [blastId])).rows;

describe("blast expansion", () => {
  it("goes chunk by chunk, cursor and messages committed together, in each recipient's language and zone", async () => {
    const ids = await addContacts([
      { name: "Ann", language: "en", timeZone: "Europe/Paris", categories: ["north"] },
      { name: "Bea", language: "fr-CA", timeZone: "America/Montreal", categories: ["north", "south"] },
      { name: "Cy", categories: ["north"] },
      { name: "Dee", language: "de", timeZone: "Asia/Tokyo", categories: ["north"] },
      { name: "Eve", language: "fr", timeZone: "Europe/Paris", categories: ["north"] },
      { name: "Fay (no consent)", categories: ["north"], consented: false },
      { name: "Gus (other category)", categories: ["west"] },
    ]);
    const blast = await newBlast({ categories: ["north"], localTime: "2030-01-15T22:30", quietHours: { start: "21:00", end: "08:00" } });
    const steps = [];
    for (let step = await expandNextChunk(deps, { blastId: blast.id, chunk: 2 }); step; step = await expandNextChunk(deps, { blastId: blast.id, chunk: 2 })) {
      steps.push(step);
      const row = (await sql.query(`select cursor, expanded, recipients_total from mod.messaging_blasts where id = $1`, [blast.id])).rows[0];
      // What is committed: as many messages as the blast counts, the cursor past them.
      expect(Number((await sql.query(`select count(*) from mod.messaging_messages where blast_id = $1`, [blast.id])).rows[0].count)).toBe(row.recipients_total);
      expect(row.expanded).toBe(step.done);
    }
    expect(steps.map((s) => s.created)).toEqual([2, 2, 1]);
    // The channel filter leaves Fay (no consent) out at selection: nobody to skip.
    expect(steps.reduce((n, s) => n + s.skipped, 0)).toBe(0);
    expect(steps.at(-1)!.done).toBe(true);
    const messages = await messagesOf(blast.id);
    expect(messages).toHaveLength(5);
    const byContact = new Map(messages.map((m) => [m.contact_id, m]));
    expect(byContact.has(ids[5]!)).toBe(false);
    expect(byContact.has(ids[6]!)).toBe(false);
    const ann = byContact.get(ids[0]!)!;
    expect(ann.text).toBe("Hello Ann: We <3 Tom & Jerry");
    expect(ann.html).toBe("<p>Hello Ann: We &lt;3 Tom &amp; Jerry</p>");
    expect(ann.idempotency_key).toBe(`blast:${blast.id}:${ids[0]}`);
    // fr-CA → fr; de → the default (en); no language → the default.
    expect(byContact.get(ids[1]!)!.language).toBe("fr");
    expect(byContact.get(ids[1]!)!.text).toBe("Bonjour Bea : We <3 Tom & Jerry");
    expect(byContact.get(ids[3]!)!.language).toBe("en");
    expect(byContact.get(ids[2]!)!.language).toBe("en");
    // 22:30 local is inside 21:00–08:00: 08:00 the next morning, in each one's zone (UTC for Cy).
    expect(ann.send_at.toISOString()).toBe("2030-01-16T07:00:00.000Z");
    expect(byContact.get(ids[1]!)!.send_at.toISOString()).toBe("2030-01-16T13:00:00.000Z");
    expect(byContact.get(ids[2]!)!.send_at.toISOString()).toBe("2030-01-16T08:00:00.000Z");
    expect(byContact.get(ids[3]!)!.send_at.toISOString()).toBe("2030-01-15T23:00:00.000Z");
    expect(messages.every((m) => m.state === MessageState.PENDING)).toBe(true);
    expect(await expandNextChunk(deps, { blastId: blast.id })).toBeUndefined();

    // Replayed from the start (as if every chunk's commit had been lost after its messages were written): nothing twice.
    await sql.query(`update mod.messaging_blasts set cursor = null, expanded = false where id = $1`, [blast.id]);
    while (await expandNextChunk(deps, { blastId: blast.id, chunk: 3 }));
    expect(await messagesOf(blast.id)).toHaveLength(5);
    expect(Number((await sql.query(`select count(*) from mod.messaging_blast_recipients where blast_id = $1`, [blast.id])).rows[0].count)).toBe(5);

    const progress = await blastProgress(db.em(), { id: blast.id, recipientsTotal: 5, skipped: 0 });
    expect(progress.queued).toBe(5n);

    // Without a channel filter, a recipient with no consented address is selected, then skipped.
    const unfiltered = await newBlast({ categories: ["north"], filter: { categories: ["north"] } });
    let skipped = 0;
    for (let step = await expandNextChunk(deps, { blastId: unfiltered.id }); step; step = await expandNextChunk(deps, { blastId: unfiltered.id })) skipped += step.skipped;
    expect(skipped).toBe(1);
    expect(await messagesOf(unfiltered.id)).toHaveLength(5);
    expect((await blastStates(db.em(), [blast.id, crypto.randomUUID(), "nonsense"])).get(blast.id)).toBe("RUNNING");
  });

  it("a chunk that fails rolls back with its cursor, and the next run redoes it", async () => {
    await addContacts(Array.from({ length: 3 }, (_, i) => ({ name: `Rollback ${i}`, categories: ["rollback"] })));
    const blast = await newBlast({ categories: ["rollback"] });
    // The messages table refuses inserts for a moment (as a worker dying mid-chunk): the chunk's transaction aborts.
    await sql.query(`create or replace function mod.refuse() returns trigger language plpgsql as $$ begin raise exception 'killed'; end $$`);
    await sql.query(`create trigger refuse before insert on mod.messaging_messages for each row execute function mod.refuse()`);
    await expect(expandNextChunk(deps, { blastId: blast.id, chunk: 2 })).rejects.toThrow();
    await sql.query(`drop trigger refuse on mod.messaging_messages`);
    const row = (await sql.query(`select cursor, expanded, recipients_total from mod.messaging_blasts where id = $1`, [blast.id])).rows[0];
    expect(row).toEqual({ cursor: null, expanded: false, recipients_total: 0 });
    expect(Number((await sql.query(`select count(*) from mod.messaging_blast_recipients where blast_id = $1`, [blast.id])).rows[0].count)).toBe(0);
    while (await expandNextChunk(deps, { blastId: blast.id, chunk: 2 }));
    expect(await messagesOf(blast.id)).toHaveLength(3);
  });

  it("a worker killed with SIGKILL mid-chunk: the next one resumes from the cursor, nobody gets it twice", async () => {
    await addContacts(Array.from({ length: 100 }, (_, i) => ({ name: `Killed ${i}`, categories: ["killed"] })));
    const blast = await newBlast({ categories: ["killed"] });
    // Each message insert takes 20 ms: a chunk of 20 takes about 0.4 s, long enough to be killed inside one.
    await sql.query(`create or replace function mod.slow() returns trigger language plpgsql as $$ begin perform pg_sleep(0.02); return new; end $$`);
    await sql.query(`create trigger slow before insert on mod.messaging_messages for each row execute function mod.slow()`);
    const node = join(repoRoot, "node_modules", "node", "bin", "node");
    const loader = `file://${join(repoRoot, "node_modules", "tsx", "dist", "loader.mjs")}`;
    const child = spawn(node, ["--import", loader, join(import.meta.dirname, "blasts-expander.fixture.ts")], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: database.url, POLITY_DATA_DIR: dataDir, BLAST_ID: blast.id, CHUNK: "20" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes("CHUNK")) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the child expanded nothing:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    expect(output).not.toContain("DONE");
    // Dropping the trigger waits for the killed worker's backend to notice its client is gone and roll back
    // (it finishes the statement it was running first), as any later worker would by skipping the locked row.
    await sql.query(`drop trigger slow on mod.messaging_messages`);
    // What the killed worker committed is whole chunks, counted and behind the cursor; its open chunk is gone.
    const after = (await sql.query(`select recipients_total, expanded, cursor from mod.messaging_blasts where id = $1`, [blast.id])).rows[0];
    expect(after.expanded).toBe(false);
    expect(after.recipients_total % 20).toBe(0);
    expect(after.recipients_total).toBeGreaterThanOrEqual(20);
    expect(await messagesOf(blast.id)).toHaveLength(after.recipients_total);
    // The killed transaction's row lock went with it: the next worker takes over from the cursor.
    while (await expandNextChunk(deps, { blastId: blast.id, chunk: 20 }));
    const messages = await messagesOf(blast.id);
    expect(messages).toHaveLength(100);
    expect(new Set(messages.map((m) => m.contact_id)).size).toBe(100);
    expect(Number((await sql.query(`select count(*) from mod.messaging_blast_recipients where blast_id = $1`, [blast.id])).rows[0].count)).toBe(100);
  });

  it("concurrent workers share a blast without overlap", async () => {
    await addContacts(Array.from({ length: 40 }, (_, i) => ({ name: `Many ${i}`, categories: ["many"] })));
    const blast = await newBlast({ categories: ["many"] });
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (await expandNextChunk(deps, { blastId: blast.id, chunk: 3 }));
    }));
    const messages = await messagesOf(blast.id);
    expect(messages).toHaveLength(40);
    expect(new Set(messages.map((m) => m.contact_id)).size).toBe(40);
    expect((await sql.query(`select recipients_total, expanded from mod.messaging_blasts where id = $1`, [blast.id])).rows[0]).toEqual({ recipients_total: 40, expanded: true });
  });

  it("pauses stop expansion; cancelling cancels what is pending; a blast with nothing pending is DONE", async () => {
    await addContacts(Array.from({ length: 4 }, (_, i) => ({ name: `Cancel ${i}`, categories: ["cancel"] })));
    const blast = await newBlast({ categories: ["cancel"], sendTime: timestampFromDate(new Date(Date.now() + 3_600_000)) });
    await expandNextChunk(deps, { blastId: blast.id, chunk: 2 });
    await sql.query(`update mod.messaging_blasts set state = 'PAUSED' where id = $1`, [blast.id]);
    expect(await expandNextChunk(deps, { blastId: blast.id, chunk: 2 })).toBeUndefined();
    expect((await blastStates(db.em(), [blast.id])).get(blast.id)).toBe("PAUSED");
    await sql.query(`update mod.messaging_blasts set state = 'RUNNING' where id = $1`, [blast.id]);
    while (await expandNextChunk(deps, { blastId: blast.id, chunk: 2 }));
    expect(await markDone(db.em())).not.toContain(blast.id);
    await sql.query(`update mod.messaging_blasts set state = 'CANCELLED' where id = $1`, [blast.id]);
    expect(await cancelPendingChunk(deps, blast.id, 3)).toBe(3);
    expect(await cancelPendingChunk(deps, blast.id, 3)).toBe(1);
    expect(await cancelPendingChunk(deps, blast.id, 3)).toBe(0);
    const progress = await blastProgress(db.em(), { id: blast.id, recipientsTotal: 4, skipped: 0 });
    expect([progress.queued, progress.cancelled]).toEqual([0n, 4n]);
    // A running, expanded blast whose messages all left the queue is DONE.
    const other = await newBlast({ categories: ["cancel"] });
    while (await expandNextChunk(deps, { blastId: other.id }));
    await sql.query(`update mod.messaging_messages set state = $2 where blast_id = $1`, [other.id, MessageState.SENT]);
    expect(await markDone(db.em())).toEqual([other.id]);
  });

  it("refuses a template that needs a variable the blast does not give, and a wall time that does not exist", async () => {
    const missing = await newBlast({ categories: ["x"], variables: {} }).catch((e: unknown) => e);
    expect(reasonOf(missing)).toBe("MISSING_VARIABLE");
    const bad = await newBlast({ categories: ["x"], localTime: "2030-02-30T09:00" }).catch((e: unknown) => e);
    expect(reasonOf(bad)).toBe("INVALID_LOCAL_TIME");
  });

  it("counts progress of 100,000 messages quickly (grouped on the (blast_id, state) index)", async () => {
    // One real message of a blast, copied 100,000 times with states and providers spread (whatever columns the
    // messages table has).
    await addContacts([{ name: "Seed", categories: ["seed"] }]);
    const seed = await newBlast({ categories: ["seed"] });
    while (await expandNextChunk(deps, { blastId: seed.id }));
    const blastId = crypto.randomUUID();
    const providers = [crypto.randomUUID(), crypto.randomUUID()];
    await sql.query(
      `with seed as materialized (select to_jsonb(m) as row from mod.messaging_messages m where m.blast_id = $1)
       insert into mod.messaging_messages
       select r.* from seed, generate_series(1, 100000) i,
         lateral jsonb_populate_record(null::mod.messaging_messages, seed.row || jsonb_build_object(
           'id', gen_random_uuid(), 'blast_id', $2::uuid, 'idempotency_key', null, 'state', (array[1, 2, 3, 4, 5, 8])[1 + i % 6],
           'provider_id', ($3::uuid[])[1 + i % 2])) r`, [seed.id, blastId, providers]);
    await sql.query(`analyze mod.messaging_messages`);
    const times: number[] = [];
    let progress;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      progress = await blastProgress(db.em(), { id: blastId, recipientsTotal: 100000, skipped: 0 });
      times.push(performance.now() - started);
    }
    const best = Math.min(...times);
    console.log(`blast progress over 100,000 messages: best ${best.toFixed(1)} ms of ${times.map((t) => t.toFixed(0)).join(", ")}`);
    expect(progress!.queued + progress!.sent + progress!.delivered + progress!.failed).toBe(100000n);
    expect(progress!.providers).toHaveLength(2);
    expect(best).toBeLessThan(500);
  });
});
