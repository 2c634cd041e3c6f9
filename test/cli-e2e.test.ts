// The CLI flow of issue 2 end to end: the real `polity` binary (node_modules/.bin/polity) against a real
// polityd child process, with its own config dir, checking output, stored credentials and exit codes.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPolity } from "./support/cli.js";
import { startProcessServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };

interface Run { code: number; stdout: string; stderr: string }

describe("polity CLI against polityd", () => {
  let server: TestServer;
  let home: string;
  let env: Record<string, string>;

  /** Runs `polity …` with the test's config dir and server; `input` goes to stdin. */
  const polity = (args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Run> =>
    runPolity(args, { ...env, ...options.env }, options.input);
  const ok = async (args: string[], options?: { input?: string; env?: Record<string, string> }) => {
    const res = await polity(args, options);
    expect(res.code, `polity ${args.join(" ")}\n${res.stderr}`).toBe(0);
    return res;
  };
  const json = async <T>(args: string[], options?: { input?: string; env?: Record<string, string> }) => JSON.parse((await ok(["--json", ...args], options)).stdout) as T;

  beforeAll(async () => {
    server = await startProcessServer([], { POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    home = mkdtempSync(join(tmpdir(), "polity-cli-"));
    // A clean environment: no stored login, no key or token from the caller's shell.
    env = { XDG_CONFIG_HOME: join(home, "config"), HOME: home, POLITY_SERVER: server.url, POLITY_API_KEY: "", POLITY_TOKEN: "" };
  });
  afterAll(async () => {
    await server?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("runs the whole flow: login, orgs, projects, roles, service accounts, API key, audit log, logout", async () => {
    // Not logged in yet.
    expect((await polity(["whoami"])).code).toBe(4);

    await ok(["login", "--email", ADMIN.email, "--password-stdin"], { input: `${ADMIN.password}\n` });
    const credentials = join(home, "config", "polity", "credentials.json");
    expect(statSync(credentials).mode & 0o777).toBe(0o600);

    const me = await json<{ email: string; accountId: string }>(["whoami"]);
    expect(me.email).toBe(ADMIN.email);
    expect((await ok(["whoami"])).stdout).toContain(ADMIN.email); // the human table too

    const created = await json<{ org: { id: string; slug: string } }>(["orgs", "create", "open-coop", "--name", "Open Coop"]);
    const orgId = created.org.id;
    expect(orgId).toMatch(/^[0-9a-f-]{36}$/);
    const orgs = await json<{ orgs: Array<{ id: string; slug: string }> }>(["orgs", "list"]);
    expect(orgs.orgs.map((o) => o.slug)).toContain("open-coop");
    expect((await ok(["orgs", "list"])).stdout).toMatch(/open-coop/);

    await ok(["projects", "create", "garden", "--org", orgId, "--name", "Community garden"]);
    const projects = await json<{ projects: Array<{ slug: string }> }>(["projects", "list", "--org", orgId]);
    expect(projects.projects.map((p) => p.slug)).toEqual(["garden"]);

    // A second person registers with their own config dir, then the admin grants them a role in the org.
    const other = { XDG_CONFIG_HOME: join(home, "other") };
    await ok(["register", "--email", "ada@example.org", "--name", "Ada", "--password-stdin"], { input: "analytical engine\n", env: other });
    const ada = await json<{ accountId: string }>(["whoami"], { env: other });
    await ok(["roles", "grant", ada.accountId, "org.member", `org/${orgId}`]);
    const bindings = await json<{ bindings: Array<{ accountId: string; role: string }> }>(["roles", "bindings", `org/${orgId}`]);
    expect(bindings.bindings).toEqual(expect.arrayContaining([expect.objectContaining({ accountId: ada.accountId, role: "org.member" })]));

    // The API key is printed once, by `create`; it then works on its own through POLITY_API_KEY.
    const sa = await ok(["--json", "service-accounts", "create", "--org", orgId, "--name", "CI bot", "--role", "member"]);
    const secret = (JSON.parse(sa.stdout) as { apiKeySecret: string }).apiKeySecret;
    expect(secret.length).toBeGreaterThanOrEqual(16);
    const human = await ok(["service-accounts", "create", "--org", orgId, "--name", "CI bot 2"]);
    expect(human.stderr).toContain("not shown again");
    expect(human.stdout).toMatch(/api key/i);
    const keyEnv = { POLITY_API_KEY: secret!, XDG_CONFIG_HOME: join(home, "nobody") };
    const bot = await json<{ kind: string; displayName: string }>(["whoami"], { env: keyEnv });
    expect(bot).toMatchObject({ kind: "service", displayName: "CI bot" });
    const saList = await ok(["service-accounts", "list", "--org", orgId]);
    expect(saList.stdout).toContain("CI bot");
    expect(saList.stdout).not.toContain(secret!);

    const accounts = await json<{ accounts: Array<{ email: string }> }>(["accounts", "list"]);
    expect(accounts.accounts.map((a) => a.email)).toEqual(expect.arrayContaining([ADMIN.email, "ada@example.org"]));
    const audit = await json<{ events: Array<{ kind: string }> }>(["audit-log"]);
    expect(audit.events.length).toBeGreaterThan(0);

    await ok(["logout"]);
    const after = await polity(["whoami"]);
    expect(after.code).toBe(4);
    expect(after.stderr).toMatch(/UNAUTHENTICATED|polity login/i);
  });

  it("exits 3 when the server cannot be reached", async () => {
    const res = await polity(["--server", "http://127.0.0.1:9", "--timeout", "3000", "whoami"], { env: { POLITY_TOKEN: "x.y.z" } });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/^error: /m);
  });

  it("exits 2 on bad usage, before calling the server", async () => {
    expect((await polity(["orgs", "create"])).code).toBe(2); // missing slug and --name
    expect((await polity(["no-such-command"])).code).toBe(2);
    expect((await polity(["--protocol", "carrier-pigeon", "whoami"])).code).toBe(2);
  });
});
