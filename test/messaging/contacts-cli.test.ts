// `polity contacts …` in-process against a real server on PostgreSQL: add with national phone numbers, list, show
// with consent history, update, consent, import with refused rows (exit code 1) and dry run, export to a file, members, remove.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCommunityStage } from "../support/communities.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import type { TestServer } from "../support/server.js";
import { inProcessPolity } from "../support/cli-in-process.js";

const ADMIN = { email: "contacts-cli-admin@example.org", password: "a long admin password" };
const home = mkdtempSync(join(tmpdir(), "polity-contacts-cli-"));
let database: TestDatabase;
let server: TestServer;

const { polity, ok } = inProcessPolity(home, () => server.url);

beforeAll(async () => {
  database = await createTestDatabase("contacts_cli");
  ({ server } = await startCommunityStage(ADMIN, { email: "contacts-cli-member@example.org", password: "a long member password" }, {
    DATABASE_URL: database.url,
    POLITY_SECRETS_KEY: Buffer.alloc(32, 7).toString("base64"),
  }));
  await ok(["login", "--email", ADMIN.email, "--password-stdin"], `${ADMIN.password}\n`);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  rmSync(home, { recursive: true, force: true });
});

describe("polity contacts", () => {
  it("adds, lists, shows, updates, records consent and removes", async () => {
    const added = await ok(["contacts", "add", "Ann Peeters", "--org", "coast", "--email", "ann@Example.org", "--phone", "0470 12 34 56", "--region", "BE", "--consent", "email", "--consent-source", "paper form", "--category", "board"]);
    expect(added).toContain("+32470123456");
    expect(added).toContain("ann@example.org");
    expect(await ok(["contacts", "list", "--org", "coast", "--category", "board"])).toContain("Ann Peeters");

    const updated = await ok(["contacts", "update", "Ann Peeters", "--org", "coast", "--name", "Ann P.", "--telegram", "-1001", "--language", "nl-be"]);
    expect(updated).toMatch(/Ann P\.[\s\S]*nl-BE/);
    expect(updated).toContain("-1001");
    expect(updated).toContain("+32470123456");

    await ok(["contacts", "consent", "ann@example.org", "email", "withdraw", "--org", "coast", "--source", "asked by phone"]);
    const shown = await ok(["contacts", "show", "Ann P.", "--org", "coast"]);
    expect(shown).toMatch(/Consent history:[\s\S]*granted[\s\S]*paper form[\s\S]*withdrawn[\s\S]*asked by phone/);

    const bad = await polity(["contacts", "add", "Bad", "--org", "coast", "--phone", "0470 12 34 56"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("default region");

    await ok(["contacts", "remove", "Ann P.", "--org", "coast"]);
    expect(await ok(["contacts", "list", "--org", "coast"])).not.toContain("Ann P.");
  });

  it("imports a CSV file (dry run first), reports refused rows, and exports to a file", async () => {
    const file = join(home, "in.csv");
    writeFileSync(file, "name,email,phone,default_region,consent_email\nCas,cas@example.org,0470 00 00 02,BE,yes\nDirk,dirk@,,,\n");
    const dry = await polity(["contacts", "import", file, "--org", "coast", "--dry-run"]);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(/2 rows read, 1 contacts would be created[\s\S]*│ 3\s+│ email/);
    expect(await ok(["contacts", "list", "--org", "coast"])).not.toContain("Cas");
    const done = await polity(["contacts", "import", "-", "--org", "coast"], readFileSync(file, "utf8"));
    expect(done.stdout).toContain("1 contacts created");

    const out = join(home, "out.csv");
    await ok(["contacts", "export", "--org", "coast", "--output", out]);
    expect(readFileSync(out, "utf8")).toMatch(/^name,email,phone,[^\n]*\r\nCas,cas@example.org,\+32470000002,/);
    expect(await ok(["contacts", "export", "--org", "coast"])).toContain("cas@example.org");

    const json = JSON.parse(await ok(["--json", "contacts", "list", "--org", "coast", "--query", "cas"])) as { contacts: Array<{ name: string }> };
    expect(json.contacts.map((c) => c.name)).toEqual(["Cas"]);
  });

  it("lists a community's members as recipients and records a member's opt-out", async () => {
    expect(await ok(["contacts", "list", "--org", "coast", "--members", "coast-towns"])).toMatch(/yes/);
    await ok(["contacts", "consent", "contacts-cli-member@example.org", "email", "withdraw", "--org", "coast", "--community", "coast-towns"]);
    expect(await ok(["contacts", "list", "--org", "coast", "--members", "coast-towns"])).toMatch(/│ no\s+│ email/);
  });
});
