// `npm run bench:blast`: a blast of N messages (default 100,000) through the `webhook` provider to a local
// receiver that counts deliveries by Idempotency-Key, sent by two `polityd --tiers worker` processes next to one
// `--tiers sys,mod` process on PostgreSQL. Two blasts to the same contacts:
//   1. undisturbed: sustained messages/s and the p99 time from PENDING to SENT;
//   2. one worker killed with SIGKILL mid-blast: every message still delivered, none delivered twice.
// Baseline, measured in the same run: the same receiver taking signed POSTs from a plain loop with the senders'
// total concurrency and no database — the ratio says what the queue, the states and the history cost.
import { type ChildProcess, fork } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { BlastService, BlastState } from "../clients/src/gen/polity/mod/messaging/v1/blasts_pb.js";
import { ContactService } from "../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { ProviderService } from "../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import { TemplateService } from "../clients/src/gen/polity/mod/messaging/v1/templates_pb.js";
import { OrgProjectService } from "../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService } from "../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { clientFor } from "../test/support/clients.js";
import { createWebhookReceiverFake, type WebhookReceiverFake } from "../test/fakes/webhook-receiver-fake.js";

const { values: args } = parseArgs({
  options: {
    messages: { type: "string", default: "100000" },
    workers: { type: "string", default: "2" },
    db: { type: "string", default: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432" },
    // Which fraction of the second blast is delivered when a worker is killed.
    "kill-at": { type: "string", default: "0.3" },
    // Plain POSTs measured for the baseline (0 skips it: a test runs this script for its counts, not its speed).
    "baseline-posts": { type: "string", default: "20000" },
    // Print the results as one JSON line too.
    json: { type: "boolean", default: false },
  },
});
const total = Number(args.messages);
const workerCount = Number(args.workers);
const ADMIN = { email: "bench-admin@example.org", password: "bench admin password" };
const SECRET = randomBytes(24).toString("base64url");
const IMPORT_ROWS = 10_000;

const children: ChildProcess[] = [];
const stopAll = () => children.forEach((c) => c.exitCode === null && c.kill("SIGKILL"));
process.on("exit", stopAll);

function startPolity(tiers: string, env: NodeJS.ProcessEnv, dataDir: string, sysUrl?: string): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(join(import.meta.dirname, "polity-server.ts"), [tiers, dataDir, ...(sysUrl ? [sysUrl] : [])], {
    env, execArgv: ["--experimental-async-context-frame", "--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve({ url: (m as { url: string }).url, child }));
    child.once("exit", (code) => reject(new Error(`polityd --tiers ${tiers} exited with ${code}`)));
  });
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: `${args.db}/postgres` });
  await admin.connect();
  await admin.query(sql).finally(() => admin.end());
}

const databaseName = `bench_blast_${Date.now()}_${process.pid}`;
async function freshDatabase(): Promise<string> {
  await adminQuery(`create database ${databaseName}`);
  return `${args.db}/${databaseName}`;
}

function contactsCsv(from: number, count: number, address: string): Buffer {
  const rows = ["name,webhook,consent_webhook,categories"];
  for (let i = from; i < from + count; i++) rows.push(`Member ${i},${address}?c=${i},yes,bench`);
  return Buffer.from(rows.join("\n"));
}

/** Signed POSTs from a plain loop at the senders' concurrency: what the receiver and HTTP alone allow. */
async function baselineRate(receiver: WebhookReceiverFake, count: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      const body = JSON.stringify({ type: "message", id: randomUUID(), text: `baseline ${i}` });
      const t = Math.floor(Date.now() / 1000);
      const v1 = createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex");
      const res = await fetch(receiver.url, { method: "POST", body, headers: { "content-type": "application/json", "idempotency-key": `baseline-${i}`, "polity-signature": `t=${t},v1=${v1}` } });
      await res.arrayBuffer();
    }
  }));
  return count / ((performance.now() - started) / 1000);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  const receiver = await createWebhookReceiverFake({ keepBodies: false });
  const databaseUrl = await freshDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), "bench-blast-"));
  const env = {
    ...process.env, DATABASE_URL: databaseUrl, POLITY_SECRETS_KEY: randomBytes(32).toString("base64"), POLITY_OUTBOUND_ALLOW_PRIVATE: "true",
    POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, POLITY_LOG_LEVEL: "warn", POLITY_JOB_EXPIRE_SECONDS: "10",
    // A killed worker's in-flight sends are tried again once their attempt has timed out.
    POLITY_MESSAGING_SEND_TIMEOUT_MS: process.env.POLITY_MESSAGING_SEND_TIMEOUT_MS ?? "5000",
  };
  const api = await startPolity("sys,mod", env, dataDir);
  const token = (await clientFor(AuthService, api.url).login(ADMIN)).tokens!.accessToken;
  const org = (await clientFor(OrgProjectService, api.url, token).createOrg({ slug: `bench-${Date.now()}`, displayName: "Bench" })).org!;
  const contacts = clientFor(ContactService, api.url, token);
  console.log(`importing ${total} contacts…`);
  for (let from = 0; from < total; from += IMPORT_ROWS) {
    const result = await contacts.importContacts({ orgId: org.id, csv: contactsCsv(from, Math.min(IMPORT_ROWS, total - from), receiver.url) });
    if (result.errors.length > 0) throw new Error(`import refused rows: ${JSON.stringify(result.errors.slice(0, 3))}`);
  }
  const providers = clientFor(ProviderService, api.url, token);
  const provider = (await providers.createProvider({ orgId: org.id, kind: "webhook", name: "bench receiver", config: { secret: SECRET }, ratePerSecond: 100_000 })).provider!;
  await providers.setChain({ orgId: org.id, scope: { scope: { case: "orgDefault", value: true } }, providerIds: [provider.id] });
  const template = (await clientFor(TemplateService, api.url, token).createTemplate({ orgId: org.id, name: "bench", defaultLanguage: "en", variants: [{ language: "en", text: "Hello {{name}}, the assembly meets on Thursday." }] })).template!;

  const baselinePosts = Number(args["baseline-posts"]);
  const baseline = baselinePosts === 0 ? Number.NaN : await baselineRate(receiver, baselinePosts, workerCount * Number(process.env.POLITY_MESSAGING_SEND_CONCURRENCY ?? 4) * 8);
  const workers = await Promise.all(Array.from({ length: workerCount }, () => startPolity("worker", env, dataDir, api.url)));
  const blasts = clientFor(BlastService, api.url, token);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();

  async function runBlast(name: string, killAt?: number) {
    const before = receiver.delivered;
    const totalBefore = receiver.total;
    const started = performance.now();
    const blast = (await blasts.createBlast({ orgId: org.id, name, templateId: template.id, filter: { categories: ["bench"] } })).blast!;
    let killed = false;
    let firstAt = 0;
    let reportedAt = performance.now();
    while (receiver.delivered - before < total) {
      await new Promise((r) => setTimeout(r, 100));
      const done = receiver.delivered - before;
      if (performance.now() - reportedAt > 5000) {
        reportedAt = performance.now();
        console.log(`  ${done} delivered after ${((reportedAt - started) / 1000).toFixed(0)} s`);
      }
      if (!firstAt && done > 0) firstAt = performance.now();
      if (killAt !== undefined && !killed && done >= total * killAt) {
        workers[0].child.kill("SIGKILL");
        killed = true;
        console.log(`  killed a worker (SIGKILL) at ${done} delivered`);
      }
      if (performance.now() - started > 30 * 60_000) throw new Error(`blast ${name}: only ${done} of ${total} delivered after 30 minutes`);
    }
    const seconds = (performance.now() - firstAt) / 1000;
    const { rows } = await db.query<{ ms: number }>(
      `select extract(epoch from (h.at - m.created_at)) * 1000 as ms from mod.messaging_messages m
         join mod.messaging_message_history h on h.message_id = m.id and h.state = 3 where m.blast_id = $1`, [blast.id]);
    const latencies = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
    let state = (await blasts.getBlast({ orgId: org.id, blastId: blast.id })).blast!;
    // Messages a killed worker sent but did not record are re-sent (same key) after the send timeout.
    for (let i = 0; i < 450 && state.state !== BlastState.DONE; i++) {
      await new Promise((r) => setTimeout(r, 200));
      state = (await blasts.getBlast({ orgId: org.id, blastId: blast.id })).blast!;
    }
    return { rate: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), delivered: receiver.delivered - before, posts: receiver.total - totalBefore, state: BlastState[state.state] };
  }

  console.log(`blast 1: ${total} messages, ${workerCount} workers`);
  const plain = await runBlast("bench undisturbed");
  console.log(`blast 2: ${total} messages, one worker killed at ${Number(args["kill-at"]) * 100} %`);
  const crash = await runBlast("bench with a crash", Number(args["kill-at"]));
  const duplicates = receiver.duplicates().filter(([key]) => !key.startsWith("baseline-"));

  console.log("\nresults");
  console.log(`  baseline (plain signed POSTs, no database): ${baseline.toFixed(0)} POST/s`);
  console.log(`  blast, undisturbed: ${plain.rate.toFixed(0)} messages/s (ratio to baseline ${(plain.rate / baseline).toFixed(3)}); PENDING→SENT p50 ${plain.p50?.toFixed(0)} ms, p99 ${plain.p99?.toFixed(0)} ms; blast ${plain.state}`);
  console.log(`  blast, worker killed: ${crash.rate.toFixed(0)} messages/s (ratio ${(crash.rate / baseline).toFixed(3)}); delivered ${crash.delivered} of ${total}; distinct Idempotency-Keys received ${crash.delivered}, POSTs ${crash.posts} (${duplicates.length} keys POSTed again after the kill, with the same key, so a receiver that honours it acts once); blast ${crash.state}`);
  if (args.json) console.log(JSON.stringify({ total, baseline, plain, crash, duplicateKeys: duplicates.length }));
  await db.end();
  stopAll();
  await receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
  await adminQuery(`drop database if exists ${databaseName} with (force)`);
  if (crash.delivered !== total) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  stopAll();
  process.exit(1);
});
