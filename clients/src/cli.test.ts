import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execFile, execFileSync } from "node:child_process";
import { runCli } from "./cli/program.js";
import type { Io } from "./cli/io.js";
import { ACCOUNT_ID, EMAIL, PASSWORD, startFakeServer, type FakeServer } from "./test-support.js";

let server: FakeServer;
let home: string;
beforeAll(async () => void (server = await startFakeServer()));
afterAll(() => server.close());
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "polity-cli-"));
  server.state.accessTtlMs = 3_600_000;
  server.state.calls = {};
  return () => rmSync(home, { recursive: true, force: true });
});

async function polity(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { XDG_CONFIG_HOME: home, POLITY_SERVER: server.url, ...opts.env },
    interactive: false,
    readStdin: async () => opts.stdin ?? "",
    prompt: async () => {
      throw new Error("no prompts in tests");
    },
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

const credentialsFile = () => join(home, "polity", "credentials.json");
const stored = () => JSON.parse(readFileSync(credentialsFile(), "utf8")).servers[server.url];
const login = () => polity(["login", "--email", EMAIL, "--password-stdin"], { stdin: `${PASSWORD}\n` });

describe("polity login and whoami", () => {
  it("stores the tokens per server in a 0600 file and uses them", async () => {
    const res = await login();
    expect(res).toMatchObject({ code: 0, stdout: "" });
    expect(res.stderr).toContain(`logged in to ${server.url} as ${EMAIL}`);
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600);
    expect(stored().refreshToken).toMatch(/^refresh-/);

    const who = await polity(["whoami"]);
    expect(who.code).toBe(0);
    expect(who.stdout).toContain(EMAIL);
    expect(who.stdout).toMatch(/superadmin on platform/);

    const json = await polity(["--json", "whoami"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ accountId: ACCOUNT_ID, email: EMAIL, disabled: false });
  });

  it("persists rotated tokens after an automatic refresh", async () => {
    server.state.accessTtlMs = 1_000; // always inside the renewal margin
    await login();
    const before = stored().refreshToken;
    expect((await polity(["whoami"])).code).toBe(0);
    const after = stored().refreshToken;
    expect(after).not.toBe(before);
    expect((await polity(["whoami"])).code).toBe(0); // the rotated token works; the spent one would not
    expect(stored().refreshToken).not.toBe(after);
  });

  it("exits 4 with a hint when not logged in", async () => {
    const res = await polity(["whoami"]);
    expect(res.code).toBe(4);
    expect(res.stderr).toBe("error: You are not signed in, or your session has expired.\nRun `polity login`.\n");
    // The code and reason stay available to scripts.
    const json = await polity(["--json", "whoami"]);
    expect(JSON.parse(json.stderr).error).toMatchObject({ code: "UNAUTHENTICATED", reason: "INVALID_TOKEN" });
  });

  it("rejects a wrong password", async () => {
    const res = await polity(["login", "--email", EMAIL, "--password-stdin"], { stdin: "nope\n" });
    expect(res.code).toBe(4);
    expect(res.stderr).toContain("error: The email or the password is not right.\nCheck both and sign in again with `polity login`.");
  });

  it("logout forgets the tokens and revokes the refresh token", async () => {
    await login();
    const refresh = stored().refreshToken;
    expect((await polity(["logout"])).code).toBe(0);
    expect(stored()).toBeUndefined();
    expect(server.state.refresh.has(refresh)).toBe(false);
  });

  it("uses POLITY_API_KEY without a stored login", async () => {
    const res = await polity(["whoami"], { env: { POLITY_API_KEY: "pk_test_0123456789abcdef" } });
    expect(res.code).toBe(0);
  });
});

describe("output", () => {
  it("prints tables for people and protobuf JSON for scripts", async () => {
    await login();
    const table = await polity(["orgs", "list"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/ID\s+│ SLUG\s+│ NAME\s+│ CREATED/);
    expect(table.stdout).toMatch(/acme\s+│ Acme Co-op\s+│ 2026-01-02 00:00/);
    expect(table.stderr).toBe("more results: --page-token page-2\n");

    const json = JSON.parse((await polity(["orgs", "list", "--json"])).stdout);
    expect(json.orgs.map((o: { slug: string }) => o.slug)).toEqual(["acme", "civic"]);
    expect(json.nextPageToken).toBe("page-2");
    expect(json.orgs[0].createdAt).toBe("2026-01-02T00:00:00Z");
  });

  it("health prints the serving status", async () => {
    const res = await polity(["health"]);
    expect(res).toMatchObject({ code: 0, stdout: "SERVING\n" });
  });

  it("speaks Connect when asked", async () => {
    const res = await polity(["--server", server.url1, "--protocol", "connect", "health"]);
    expect(res).toMatchObject({ code: 0, stdout: "SERVING\n" });
  });
});

describe("usage errors exit 2 without calling the server", () => {
  it.each([
    [["orgs", "create"]],
    [["orgs", "create", "acme"]],
    [["accounts", "list", "--kind", "robot"]],
    [["accounts", "list", "--page-size", "many"]],
    [["--protocol", "carrier-pigeon", "health"]],
    [["no-such-command"]],
    [["orgs", "update", "0b5c1a3e-9a7e-4d52-8a8e-2f0b7f7f0002"]],
    [["login", "--email", EMAIL]], // not a terminal and no --password-stdin
  ])("polity %j", async (args) => {
    const res = await polity(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/error/);
    expect(Object.keys(server.state.calls)).toEqual([]);
  });

  it("--help exits 0", async () => {
    const res = await polity(["--help"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("service-accounts");
  });
});

it("exits 3 when the server cannot be reached", async () => {
  const res = await polity(["--server", "http://127.0.0.1:1", "health"]);
  expect(res.code).toBe(3);
  expect(res.stderr).toMatch(/^error: The server could not be reached/);
});

describe("bin/polity", () => {
  const bin = resolve(import.meta.dirname, "../bin/polity");
  // A plain shell whose PATH has the system node first, as a user's terminal would.
  const env = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/nonexistent", XDG_CONFIG_HOME: tmpdir() };

  it("runs from any directory on the project's Node 22", () => {
    const out = execFileSync(bin, ["--help"], { cwd: "/", env, encoding: "utf8" });
    expect(out).toContain("Usage: polity");
  });

  // Asynchronous: the fake server lives in this process and must keep answering.
  const run = (args: string[]) =>
    new Promise<{ status: number; stdout: string }>((done) => {
      execFile(bin, args, { cwd: "/", env, encoding: "utf8" }, (err, stdout) => done({ status: err ? Number(err.code) : 0, stdout }));
    });

  it("talks to a server and returns the exit code", async () => {
    expect(await run(["--server", server.url, "health"])).toEqual({ status: 0, stdout: "SERVING\n" });
    expect((await run(["orgs", "create"])).status).toBe(2);
    expect((await run(["--server", server.url, "whoami"])).status).toBe(4);
  });
});
