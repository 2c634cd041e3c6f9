// The production build: server and CLI compiled to JavaScript and run with plain node (the project's Node 22, no
// TypeScript loader), on the embedded database and on PostgreSQL. The server must find everything it reads at
// run time (migrations, datasets, the web GUI, the tally engine) from the compiled tree.
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { clientFor } from "../support/clients.js";
import { buildCompiled, type CompiledBuild } from "../support/compiled.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { type ProcessRun, runProcess } from "../support/run-process.js";
import { startProcessServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "admin@example.org", password: "correct horse battery" };
const NO_DATABASE_URL = { DATABASE_URL: "", SYS_DATABASE_URL: "", MOD_DATABASE_URL: "" };
const commandLineOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);

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
    expect(existsSync(join(build.dist, "sys", "cmd", "polityd.js"))).toBe(true);
    expect(existsSync(join(build.dist, "sys", "cmd", "polityd.bundle.js"))).toBe(true);
    expect(existsSync(join(build.dist, "clients", "src", "cli", "main.js"))).toBe(true);
    expect(existsSync(join(build.dist, "sys", "core", "host.test.js"))).toBe(false);
    expect(readFileSync(build.polityd[0]!, "utf8")).not.toMatch(/tsx|--import|--loader/);
  });

  it("serves on the embedded database: health, the web GUI, sign-in through the compiled CLI", async () => {
    const server = await startProcessServer([], { POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, ...NO_DATABASE_URL }, 90_000, build.polityd);
    try {
      // bin/polityd-prod ran the bundle on the project's Node, sized for a small machine as no database URL is set.
      const argv = commandLineOf(server.child.pid!);
      expect(argv.slice(0, 2)).toEqual([join(build.dir, "node_modules", "node", "bin", "node"), "--experimental-async-context-frame"]);
      expect(argv).toContain("--max-semi-space-size=2");
      expect(argv).toContain(join(build.dist, "sys", "cmd", "polityd.bundle.js"));
      const health = await clientFor(Health, server.url).check({});
      expect(health.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      // The GUI comes from the compiled tree's copy of web/dist, not from the sources.
      const page = await fetch(`${server.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(readFileSync(join(build.dist, "web", "dist", "index.html"), "utf8"));

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
    let server: TestServer & { child: ChildProcess };

    beforeAll(async () => {
      database = await createTestDatabase("build");
      server = await startProcessServer([], { DATABASE_URL: database.url }, 90_000, build.polityd);
    }, 120_000);

    it("keeps V8's default young generation on PostgreSQL", () => {
      expect(commandLineOf(server.child.pid!)).not.toContain("--max-semi-space-size=2");
    });

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
