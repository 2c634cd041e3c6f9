// The README's CLI flow, run as a newcomer would type it: the real `polity` binary against a real polityd child
// process, naming things by slug, email and the 8-character ids the tables show. It checks what a person
// sees: names rather than UUIDs, tables within 100 columns, the newest activity, errors in plain words, and
// `results --watch` showing one's own vote at once.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { polityBin, runPolity } from "./support/cli.js";
import { repoRoot, startProcessServer, type TestServer } from "./support/server.js";
import { signUpVerified, type Person } from "./support/people.js";

const ADMIN = { email: "admin@example.org", password: "admin password 123" };
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

interface Run { code: number; stdout: string; stderr: string }

describe("the README's CLI flow, verbatim, for a newcomer", () => {
  let server: TestServer;
  let home: string;
  let env: Record<string, string>;
  let ada: Person;

  const polity = (args: string[], extra: Record<string, string> = {}, input = ""): Promise<Run> => runPolity(args, { ...env, ...extra }, input);
  const ok = async (args: string[], extra: Record<string, string> = {}, input = "") => {
    const res = await polity(args, extra, input);
    expect(res.code, `polity ${args.join(" ")}\n${res.stderr}`).toBe(0);
    return res;
  };
  const asAda = () => ({ POLITY_TOKEN: ada.token, XDG_CONFIG_HOME: join(home, "ada") });
  /** Every line a person sees fits a 100-column terminal. */
  const fits = (text: string) => expect(Math.max(0, ...text.split("\n").map((l) => [...l].length))).toBeLessThanOrEqual(100);

  beforeAll(async () => {
    server = await startProcessServer([], { POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    home = mkdtempSync(join(tmpdir(), "polity-newcomer-"));
    env = { XDG_CONFIG_HOME: join(home, "config"), HOME: home, POLITY_SERVER: server.url, POLITY_API_KEY: "", POLITY_TOKEN: "", POLITY_COMMUNITY: "" };
    ada = await signUpVerified(server.url, server.logs, "ada@example.org");
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("logs in, makes an org and a community by slug, runs a poll by short id, votes and watches the result", async () => {
    await ok(["login", "--email", ADMIN.email, "--password-stdin"], {}, `${ADMIN.password}\n`);
    expect((await ok(["whoami"])).stdout).toContain(ADMIN.email);
    await ok(["orgs", "create", "open-coop", "--name", "Open Coop"]);
    const orgs = JSON.parse((await ok(["orgs", "list", "--json"])).stdout) as { orgs: Array<{ id: string; slug: string }> };
    const org = orgs.orgs.find((o) => o.slug === "open-coop")!;

    // `roles grant <account-id> org.member org/<org-id>`: an email and a slug do as well.
    await ok(["roles", "grant", "ada@example.org", "org.member", "org/open-coop"]);
    const bindings = await ok(["roles", "bindings", "org/open-coop"]);
    expect(bindings.stdout).toContain("ada@example.org");
    fits(bindings.stdout);
    expect((await ok(["orgs", "get", org.id.slice(0, 8)])).stdout).toContain("Open Coop");

    const bot = await ok(["service-accounts", "create", "--org", "open-coop", "--name", "ci-bot"]);
    expect(bot.stderr).toContain("not shown again");
    // A service account and its keys by name, within the org.
    await ok(["service-accounts", "create-key", "ci-bot", "--org", "open-coop", "--name", "rotation"]);
    const keys = await ok(["service-accounts", "keys", "ci-bot", "--org", "open-coop"]);
    expect(keys.stdout).toContain("rotation");
    fits(keys.stdout);
    await ok(["service-accounts", "revoke-key", "ci-bot", "rotation", "--org", "open-coop"]);
    const revoked = JSON.parse((await ok(["--json", "service-accounts", "keys", "ci-bot", "--org", "open-coop"])).stdout) as { apiKeys: Array<{ name: string; revokedAt?: string }> };
    expect(revoked.apiKeys.find((k) => k.name === "rotation")?.revokedAt).toBeTruthy();
    await ok(["communities", "create", "--org", "open-coop", "makers", "--name", "Makers", "--visibility", "public", "--join", "open"]);
    await ok(["communities", "use", "makers"]);
    expect((await ok(["communities", "list"])).stdout).toMatch(/│ [0-9a-f]{8} │ makers +│ Makers +│ public +│ open +│ no +│ yes +│/);
    expect((await ok(["whoami"])).stdout).toMatch(/community\.admin on community\/makers/); // roles by name
    await ok(["communities", "join", "makers"], asAda());

    const created = await ok(["polls", "create", "--title", "Next meetup", "--method", "schulze", "--option", "a:Lisbon", "--option", "b:Porto", "--option", "c:Faro"]);
    fits(created.stdout);
    const list = await ok(["polls", "list"]);
    fits(list.stdout);
    expect(list.stdout).toContain("Next meetup");
    expect(list.stdout).not.toMatch(UUID); // 8-character ids, not UUIDs
    const short = /│ ([0-9a-f]{8}) │ Next meetup/.exec(list.stdout)![1];
    expect(created.stderr).toContain(`polity polls open ${short}`);

    expect((await ok(["polls", "show", short])).stdout).toMatch(/│ community +│ makers \([0-9a-f]{8}\)/);
    await ok(["polls", "open", short]);
    const voted = await ok(["vote", short, "--rank", "a>b=c"]);
    expect(voted.stdout).toMatch(/recorded: a > b = c/);
    await ok(["vote", "Next meetup", "--rank", "b>a", "--community", "makers"], asAda()); // an exact title names a poll too

    // The web's defaults (live results, public ballots): `results --watch` shows both ballots at once.
    const pollId = (JSON.parse((await ok(["--json", "polls", "show", short])).stdout) as { poll: { id: string } }).poll.id;
    const first = await firstScreen(["results", pollId, "--watch"]);
    expect(first).toMatch(/ballots: 2\//);
    expect(first).toContain("Lisbon");
    fits(first.split("\n").filter((l) => /^[┌│├└]/.test(l)).join("\n")); // its table; prose lines wrap

    const audit = await ok(["audit", "makers"]);
    expect(audit.stdout).toContain("OK: the log and every recount verify");

    // --limit 2 shows the log's last two entries (not its first two), actors by name.
    const newest = await ok(["activity", "--limit", "2"]);
    const newestJson = JSON.parse((await ok(["--json", "activity", "--limit", "2"])).stdout) as { entries: Array<{ sequence: string; actorId: string }> };
    const all = JSON.parse((await ok(["--json", "activity"])).stdout) as { entries: Array<{ sequence: string }> };
    expect(all.entries.length).toBeGreaterThan(4);
    expect(newestJson.entries.map((e) => e.sequence)).toEqual(all.entries.slice(-2).map((e) => e.sequence));
    fits(newest.stdout);
    expect(newest.stdout).not.toContain("poll-created");
    expect(newest.stdout).toMatch(new RegExp(`│ ${all.entries.at(-1)!.sequence} +│`));
    expect(newest.stdout).toMatch(/│ (Administrator|ada) +│/);
    expect(newest.stdout).not.toMatch(UUID);
  }, 120_000);

  it("names members by email in members, delegate and delegations", async () => {
    const promoted = await ok(["members", "set-role", "ada@example.org", "moderator"]);
    expect(promoted.stdout).toMatch(/moderator/);
    const members = await ok(["members", "list"]);
    fits(members.stdout);
    expect(members.stdout).toMatch(/Administrator/);
    await ok(["delegate", "ada@example.org"]);
    const delegations = await ok(["delegations"]);
    expect(delegations.stdout).not.toMatch(UUID);
    await ok(["delegate", "--revoke"]);
  });

  it("says in plain words what is wrong and what to do, with the code under --json", async () => {
    const missing = await polity(["vote", "deadbeef", "--rank", "a"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("error: No poll matches \"deadbeef\". See them with `polity polls list`, then pass its exact title or its id (a unique id prefix is enough).\n");
    const unknown = await polity(["audit", "no-such-community"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: No community matches "no-such-community"\. See them with `polity communities list`/);
    const json = await polity(["--json", "members", "set-role", "nobody@example.org", "member"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: "USAGE", reason: "NO_MATCH" } });
    // A server refusal: a sentence and a next step, no gRPC code in the human text.
    const closed = await polity(["polls", "open", "Next meetup"]);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(/^error: [A-Z].*\n[A-Z].*\.\n$/);
    expect(closed.stderr).not.toMatch(/FAILED_PRECONDITION|POLL_NOT_DRAFT/);
    const coded = await polity(["--json", "polls", "open", "Next meetup"]);
    expect(JSON.parse(coded.stderr)).toMatchObject({ error: { code: "FAILED_PRECONDITION" } });
  });

  /** Starts `polity …` (a watch), resolves with what it printed first, and stops it. */
  function firstScreen(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(polityBin, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      const timer = setTimeout(() => (child.kill(), reject(new Error(`no output in 30 s: ${err}`))), 30_000);
      child.stderr.on("data", (c: Buffer) => (err += c.toString()));
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        // One screen ends with the table's last border (and any lines after it arrive in the same write).
        if (/└/.test(out)) {
          clearTimeout(timer);
          child.kill();
          resolve(out);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        if (!/└/.test(out)) reject(new Error(`exited ${code} before a screen: ${err}`));
      });
    });
  }
});
