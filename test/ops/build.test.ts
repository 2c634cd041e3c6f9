// The production build: server and CLI compiled to JavaScript and run with plain node (the project's Node 22, no
// TypeScript loader), on the embedded database and on PostgreSQL. The server must find everything it reads at
// run time (migrations, datasets, the web GUI, the tally engine) from the compiled tree.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { clientFor } from "../support/clients.js";
import { buildCompiled, type CompiledBuild, embeddedNodeFlags } from "../support/compiled.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { type ProcessRun, runProcess } from "../support/run-process.js";
import { startProcessServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "admin@example.org", password: "correct horse battery" };

describe("the compiled build on plain node", () => {
  let build: CompiledBuild;
  let home: string;

  beforeAll(async () => {
    build = await buildCompiled(`polity-build-test-${process.pid}`);
    home = mkdtempSync(join(tmpdir(), "polity-build-cli-"));
  }, 180_000);

  afterAll(() => {
    build?.remove();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  function polity(server: TestServer, config: string, args: string[], input = ""): Promise<ProcessRun> {
    const env = { XDG_CONFIG_HOME: join(home, config), HOME: home, POLITY_SERVER: server.url, POLITY_API_KEY: "", POLITY_TOKEN: "" };
    return runProcess([...build.polity, ...args], { cwd: home, env, input });
  }

  async function json<T>(server: TestServer, config: string, args: string[], input = ""): Promise<T> {
    const run = await polity(server, config, ["--json", ...args], input);
    expect(run.code, `polity ${args.join(" ")}\n${run.stderr}`).toBe(0);
    return JSON.parse(run.stdout) as T;
  }

  it("holds no TypeScript and no tests, and runs without a loader", () => {
    expect(existsSync(join(build.dir, "sys", "cmd", "polityd.js"))).toBe(true);
    expect(build.polityd.at(-1)).toBe(join(build.dir, "sys", "cmd", "polityd.bundle.js"));
    expect(existsSync(build.polityd.at(-1)!)).toBe(true);
    expect(existsSync(join(build.dir, "clients", "src", "cli", "main.js"))).toBe(true);
    expect(existsSync(join(build.dir, "sys", "core", "host.test.js"))).toBe(false);
    expect(build.polityd.join(" ")).not.toMatch(/tsx|--import|--loader/);
  });

  it("serves on the embedded database: health, the web GUI, sign-in through the compiled CLI", async () => {
    const server = await startProcessServer([], { POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password }, 90_000, [build.polityd[0]!, ...embeddedNodeFlags, ...build.polityd.slice(1)]);
    try {
      const health = await clientFor(Health, server.url).check({});
      expect(health.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      // The GUI comes from the compiled tree's copy of web/dist, not from the sources.
      const page = await fetch(`${server.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(readFileSync(join(build.dir, "web", "dist", "index.html"), "utf8"));

      const login = await polity(server, "admin", ["login", "--email", ADMIN.email, "--password-stdin"], `${ADMIN.password}\n`);
      expect(login.code, login.stderr).toBe(0);
      const me = await json<{ email: string }>(server, "admin", ["whoami"]);
      expect(me.email).toBe(ADMIN.email);
    } finally {
      await server.stop();
    }
  });

  describe("on PostgreSQL", () => {
    let database: TestDatabase;
    let server: TestServer;

    beforeAll(async () => {
      database = await createTestDatabase("build");
      server = await startProcessServer([], { DATABASE_URL: database.url }, 90_000, build.polityd);
    }, 120_000);

    afterAll(async () => {
      await server?.stop();
      await database?.drop();
    });

    it("registers and signs in through the compiled CLI, and counts ballots with the compiled tally engine", async () => {
      const registered = await polity(server, "ada", ["register", "--email", "ada@example.org", "--name", "Ada", "--password-stdin"], "analytical engine\n");
      expect(registered.code, registered.stderr).toBe(0);
      const me = await json<{ email: string }>(server, "ada", ["whoami"]);
      expect(me.email).toBe("ada@example.org");
      // `polity tally` counts offline with @polity/tally: the compiled CLI must resolve the compiled engine.
      writeFileSync(join(home, "ballots.txt"), "A>B>C\nB>A>C\nA>C>B\nC>B>A\n");
      const result = await json<{ winners: string[] }>(server, "ada", ["tally", "ballots.txt", "--method", "irv"]);
      expect(result.winners).toEqual(["A"]);
    });
  });
});
