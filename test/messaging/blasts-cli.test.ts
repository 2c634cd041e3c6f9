// `polity templates …` and `polity blasts …` in-process against a real server on PostgreSQL: a template added from
// flags and from a YAML variants file, listed, shown, previewed (escaping only in HTML, a missing variable named), updated and removed; a scheduled blast
// created for a category, its status, the list, pause, resume and cancel.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolityClient } from "../../clients/src/core.js";
import { Channel } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { ContactService } from "../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { startCommunityStage } from "../support/communities.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import type { TestServer } from "../support/server.js";
import { inProcessPolity } from "../support/cli-in-process.js";

const ADMIN = { email: "blasts-cli-admin@example.org", password: "a long admin password" };
const home = mkdtempSync(join(tmpdir(), "polity-blasts-cli-"));
let database: TestDatabase;
let server: TestServer;
let admin: PolityClient;
let orgId: string;

const { polity, ok } = inProcessPolity(home, () => server.url);

beforeAll(async () => {
  database = await createTestDatabase("blasts_cli");
  let communityId: string;
  ({ server, admin, communityId } = await startCommunityStage(ADMIN, { email: "blasts-cli-member@example.org", password: "a long member password" }, {
    DATABASE_URL: database.url,
    POLITY_SECRETS_KEY: Buffer.alloc(32, 7).toString("base64"),
  }));
  orgId = (await admin.communities.getCommunity({ communityId })).community!.orgId;
  await ok(["login", "--email", ADMIN.email, "--password-stdin"], `${ADMIN.password}\n`);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  rmSync(home, { recursive: true, force: true });
});

describe("polity templates and polity blasts", () => {
  it("templates: add, list, show, preview, update, remove", async () => {
    expect(await ok(["templates", "add", "greeting", "--org", "coast", "--language", "en", "--subject", "Hi {{name}}", "--text", "Hello {{name}}"])).toContain("greeting");
    const file = join(home, "variants.yaml");
    writeFileSync(file, [
      "- language: en", "  subject: Meeting, {{name}}", "  text: \"Hello {{name}}, see you {{day}}.\"", "  html: \"<p>Hello {{name}}</p>\"",
      "- language: fr", "  subject: Réunion, {{name}}", "  text: \"Bonjour {{name}}, à {{day}}.\"",
    ].join("\n"));
    await ok(["templates", "add", "meeting", "--org", "coast", "--variants-file", file, "--default-language", "en"]);
    const list = await ok(["templates", "list", "--org", "coast"]);
    expect(list).toContain("greeting");
    expect(list).toMatch(/meeting.*en\* fr/);
    expect(await ok(["templates", "show", "meeting", "--org", "coast"])).toContain("Réunion, {{name}}");
    const preview = await ok(["templates", "preview", "meeting", "--org", "coast", "--language", "fr-CA", "--var", "name=<Ann>", "--var", "day=lundi"]);
    expect(preview).toContain("Bonjour <Ann>, à lundi.");
    expect(preview).toMatch(/language\s*│\s*fr/);
    const html = await ok(["templates", "preview", "meeting", "--org", "coast", "--var", "name=<Ann>", "--var", "day=x", "--json"]);
    expect(JSON.parse(html).html).toBe("<p>Hello &lt;Ann&gt;</p>");
    const missing = await polity(["templates", "preview", "meeting", "--org", "coast", "--var", "name=Ann"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("day");
    await ok(["templates", "update", "greeting", "--org", "coast", "--name", "hello", "--category", "news"]);
    expect(await ok(["templates", "list", "--org", "coast", "--category", "news"])).toContain("hello");
    await ok(["templates", "remove", "hello", "--org", "coast"]);
    expect(await ok(["templates", "list", "--org", "coast"])).not.toContain("hello");
    expect((await polity(["templates", "add", "x", "--org", "coast", "--language", "en"])).code).not.toBe(0);
  });

  it("blasts: create (scheduled), status, list, pause, resume, cancel", async () => {
    const contacts = createClient(ContactService, admin.transport);
    for (const name of ["Ann", "Bo"]) {
      await contacts.createContact({ orgId, contact: { name, categories: ["members"], addresses: [{ channel: Channel.EMAIL, address: `${name.toLowerCase()}@example.org`, consent: { granted: true, source: "test" } }] } });
    }
    const created = await ok(["blasts", "create", "autumn", "meeting", "--org", "coast", "--category", "members", "--channel", "email",
      "--var", "day=Friday", "--local-time", "2030-10-01T09:00", "--quiet-hours", "21:00-08:00"]);
    expect(created).toContain("autumn");
    expect(created).toContain("2030-10-01T09:00 in each recipient's zone");
    expect(created).toContain("21:00-08:00");
    let status = "";
    for (let i = 0; i < 50 && !/2 recipients: 2 queued/.test(status); i++) {
      status = await ok(["blasts", "status", "autumn", "--org", "coast"]);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toContain("2 recipients: 2 queued, 0 sent");
    expect(await ok(["blasts", "list", "--org", "coast"])).toMatch(/autumn\s*│\s*running\s*│\s*2\s/);
    expect(await ok(["blasts", "pause", "autumn", "--org", "coast"])).toContain("paused");
    expect(await ok(["blasts", "resume", "autumn", "--org", "coast"])).toContain("running");
    const cancelled = await ok(["blasts", "cancel", "autumn", "--org", "coast"]);
    expect(cancelled).toContain("cancelled");
    expect(cancelled).toContain("0 queued, 0 sent, 0 delivered, 0 failed, 2 cancelled");
    const bad = await polity(["blasts", "create", "x", "meeting", "--org", "coast", "--quiet-hours", "late"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--quiet-hours");
  });
});
