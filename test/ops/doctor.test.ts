// `polityd doctor`: a healthy PostgreSQL deployment (sys + mod, and a mod-only process beside it) passes; an
// unmigrated database, an unreachable sys and an unreachable SMTP server each fail with a line naming them; a
// data directory in use is said so; a governance plugin schema that does not compile fails. The checks run in this process (checkDeployment, as the command does) and
// the command itself is spawned for its output and exit codes.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkDeployment } from "../../sys/cmd/doctor.js";
import type { CheckResult } from "../../sys/cmd/doctor-report.js";
import { loadConfig } from "../../sys/core/config.js";
import type { PluginDefinition } from "../../mod/governance/index.js";
import { type SmtpPeer, startSmtpPeer } from "../fakes/smtp-peer.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { runProcess } from "../support/run-process.js";
import { repoRoot, startInProcessServer, type TestServer } from "../support/server.js";

const SECRETS_KEY = Buffer.alloc(32, 7).toString("base64");

const polityd = (args: string[], env: Record<string, string>) => runProcess([join(repoRoot, "bin", "polityd"), ...args], { cwd: repoRoot, env });

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const named = (results: CheckResult[], name: string) => results.find((r) => r.name === name);
const failures = (results: CheckResult[]) => results.filter((r) => r.status === "FAIL");

describe("polityd doctor", () => {
  let database: TestDatabase;
  let empty: TestDatabase;
  let server: TestServer;
  let smtp: SmtpPeer;
  let dataDir: string;
  let healthy: Record<string, string>;

  const doctor = (env: Record<string, string>) => checkDeployment(() => loadConfig({ env: { POLITY_DATA_DIR: dataDir, ...env } }));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "polity-doctor-"));
    smtp = await startSmtpPeer();
    database = await createTestDatabase("doctor");
    empty = await createTestDatabase("doctor_empty");
    healthy = { DATABASE_URL: database.url, POLITY_SECRETS_KEY: SECRETS_KEY, POLITY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` };
    // The running sys + mod: it migrates its database and makes its signing key.
    server = await startInProcessServer(healthy);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    await empty?.drop();
    await smtp?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("passes a healthy PostgreSQL deployment, every check ok", async () => {
    const results = await doctor(healthy);
    expect(results.filter((r) => r.status !== "ok")).toEqual([]);
    expect(results.map((r) => r.name)).toEqual([
      "config", "sys database", "clock vs sys database", "sys migrations", "signing keys",
      "mod database", "clock vs mod database", "mod migrations", "secrets key", "governance plugins", "mail",
    ]);
    expect(named(results, "governance plugins")!.detail).toMatch(/^\d+ plugins, every schema compiles$/);
    expect(named(results, "sys migrations")!.detail).toMatch(/^up to date \(\d+ applied\)$/);
    expect(named(results, "signing keys")!.detail).toMatch(/^active key \S+, 0\.0 days old/);
    expect(named(results, "mail")!.detail).toContain(`127.0.0.1:${smtp.port} accepts connections`);
  });

  it("passes a mod-only process that reaches sys: ready, public keys, clock", async () => {
    const results = await doctor({ ...healthy, POLITY_TIERS: "mod,worker", POLITY_SYS_URL: server.url });
    expect(failures(results)).toEqual([]);
    expect(named(results, "sys")).toMatchObject({ status: "ok", detail: `ready at ${server.url}` });
    expect(named(results, "sys public keys")).toMatchObject({ status: "ok" });
    expect(named(results, "clock vs sys")).toMatchObject({ status: "ok" });
    expect(named(results, "sys database")).toBeUndefined();
  });

  it("fails a governance plugin whose schema does not compile, naming the plugin and the schema", async () => {
    const broken = { name: "broken", description: "bad schema", authType: "none", config: { type: "object", properties: { n: { type: "integr" } } } } as PluginDefinition;
    const results = await checkDeployment(() => loadConfig({ env: { POLITY_DATA_DIR: dataDir, ...healthy } }), { governancePlugins: [broken] });
    expect(named(results, "governance plugins")).toMatchObject({ status: "FAIL", detail: expect.stringMatching(/^schemas that do not compile: broken config: /) });
    // A mod process without the governance module does not offer plugins.
    const voting = await doctor({ ...healthy, POLITY_TIERS: "mod", POLITY_SYS_URL: server.url, POLITY_MODULES: "voting" });
    expect(failures(voting)).toEqual([]);
    expect(named(voting, "governance plugins")).toBeUndefined();
  });

  it("fails an unmigrated database, naming the pending migrations", async () => {
    const results = await doctor({ ...healthy, DATABASE_URL: empty.url });
    expect(named(results, "sys migrations")).toMatchObject({ status: "FAIL" });
    expect(named(results, "sys migrations")!.detail).toMatch(/^\d+ of \d+ not applied: 20261122000000-sys-account-init, .*run `polityd migrate`/);
    expect(named(results, "mod migrations")).toMatchObject({ status: "FAIL" });
    // Doctor only reads: the database is still empty afterwards.
    expect(named(await doctor({ ...healthy, DATABASE_URL: empty.url }), "sys migrations")!.detail).toMatch(/not applied: 20261122000000-sys-account-init/);
  });

  it("fails an unreachable sys URL and an unreachable database", async () => {
    const sysUrl = `http://127.0.0.1:${await closedPort()}`;
    const results = await doctor({ ...healthy, POLITY_TIERS: "mod", POLITY_SYS_URL: sysUrl });
    expect(named(results, "sys")).toMatchObject({ status: "FAIL" });
    expect(named(results, "sys")!.detail).toMatch(new RegExp(`^cannot reach sys at ${sysUrl} \\(POLITY_SYS_URL\\): .*ECONNREFUSED`));
    const unreachable = new URL(database.url);
    unreachable.port = String(await closedPort());
    const down = await doctor({ ...healthy, DATABASE_URL: unreachable.toString() });
    expect(named(down, "sys database")).toMatchObject({ status: "FAIL" });
    expect(named(down, "sys database")!.detail).toMatch(/^cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/\S+: .*ECONNREFUSED/);
  });

  it("fails an unreachable SMTP host", async () => {
    const port = await closedPort();
    const results = await doctor({ ...healthy, POLITY_SMTP_URL: `smtp://127.0.0.1:${port}` });
    expect(failures(results)).toEqual([expect.objectContaining({ name: "mail", detail: `SMTP server smtp://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}` })]);
  });

  it("fails stored secrets that the configured key cannot open, and a missing key on PostgreSQL", async () => {
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      await db.query(`insert into mod.governance_callback_secrets (community_id, secret, rotated_at) values ($1, 'v1.deadbeef.aXY.Ym9keQ', now())`, [crypto.randomUUID()]);
      const results = await doctor(healthy);
      expect(failures(results)).toEqual([expect.objectContaining({ name: "secrets key" })]);
      expect(named(results, "secrets key")!.detail).toBe("1 of 1 stored secret were sealed with key id deadbeef, which is neither POLITY_SECRETS_KEY nor in POLITY_SECRETS_PREVIOUS_KEYS: they cannot be opened");
      expect(named(await doctor({ ...healthy, POLITY_SECRETS_KEY: "" }), "secrets key")!.detail).toMatch(/^no key \(POLITY_SECRETS_KEY not set\) but the database holds 1 stored secret/);
    } finally {
      await db.query("delete from mod.governance_callback_secrets");
      await db.end();
    }
    expect(named(await doctor({ ...healthy, POLITY_SECRETS_KEY: "" }), "secrets key")).toMatchObject({ status: "warn" });
  });

  it("says who holds the embedded data directory, and does not open it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "polity-doctor-embedded-"));
    try {
      // A lock as polityd writes it, held by a live process (this one).
      writeFileSync(join(dir, "pgdata.lock"), JSON.stringify({ pid: process.pid, since: "2026-01-01T00:00:00.000Z", host: hostname() }));
      const results = await checkDeployment(() => loadConfig({ env: { POLITY_DATA_DIR: dir } }));
      expect(named(results, "data directory lock")!.detail).toMatch(new RegExp(`^in use by polityd pid ${process.pid} on `));
      expect(named(results, "sys database")!.detail).toMatch(/^embedded, in use by pid \d+: not opened/);
      expect(failures(results)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves an old per-tier embedded layout as it is: polityd merges it, not doctor", async () => {
    const dir = mkdtempSync(join(tmpdir(), "polity-doctor-legacy-"));
    try {
      // What an older release left: a cluster per tier (PG_VERSION marks a PostgreSQL data directory).
      for (const tier of ["sys", "mod"]) {
        mkdirSync(join(dir, tier));
        writeFileSync(join(dir, tier, "PG_VERSION"), "17\n");
      }
      const results = await checkDeployment(() => loadConfig({ env: { POLITY_DATA_DIR: dir } }));
      expect(named(results, "sys database")).toMatchObject({ status: "warn", detail: expect.stringMatching(/old layout .* not opened/) });
      expect(existsSync(join(dir, "pgdata"))).toBe(false);
      expect(readdirSync(dir).sort()).toEqual(["mod", "sys"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("as a command: one line per check and exit 0 when healthy, JSON and exit 1 on a FAIL", async () => {
    const [good, bad] = await Promise.all([
      polityd(["doctor"], { ...healthy, POLITY_DATA_DIR: dataDir }),
      polityd(["doctor", "--json"], { ...healthy, DATABASE_URL: empty.url, POLITY_DATA_DIR: dataDir }),
    ]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout.split("\n")).toEqual(expect.arrayContaining([expect.stringMatching(/^ok {4}sys migrations +up to date/)]));
    expect(good.stdout).not.toMatch(/FAIL/);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { ok: boolean; checks: CheckResult[] };
    expect(report.ok).toBe(false);
    expect(named(report.checks, "sys migrations")).toMatchObject({ status: "FAIL" });
  });

  it("as a command: a config it cannot read is a FAIL", async () => {
    const run = await polityd(["doctor", "--config", "/nonexistent/polity.yaml"], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("FAIL  config  cannot read config file /nonexistent/polity.yaml: no such file\n");
  });
});
