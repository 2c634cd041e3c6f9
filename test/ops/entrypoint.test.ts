// The image's scripts (deploy/docker): the entrypoint run with a fake polityd on PATH (arguments passed through,
// migrate first when asked, exit codes, exec so a signal reaches the server), then with the real one on
// PostgreSQL; the healthcheck against a local /healthz; and the Dockerfile wiring them in.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { repoRoot } from "../support/server.js";
import { dockerfileInstructions } from "./dockerfile.js";

const docker = join(repoRoot, "deploy", "docker");
const entrypoint = join(docker, "entrypoint.sh");

// Records each call as "pid<TAB>arg<TAB>arg…"; fails `migrate` with FAKE_MIGRATE_EXIT; as the server, waits for
// SIGTERM when FAKE_WAIT_FOR_TERM is set, else exits with FAKE_SERVER_EXIT.
const FAKE_POLITYD = `#!/bin/sh
{ printf '%s' "$$"; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> "$POLITYD_CALLS"
for a in "$@"; do [ "$a" = migrate ] && exit "\${FAKE_MIGRATE_EXIT:-0}"; done
if [ -n "\${FAKE_WAIT_FOR_TERM:-}" ]; then
  trap 'kill "$sleeper" 2>/dev/null; echo TERM >> "$POLITYD_CALLS"; exit 0' TERM
  sleep 30 & sleeper=$!
  echo ready > "$FAKE_WAIT_FOR_TERM"
  wait "$sleeper"
  exit 99
fi
exit "\${FAKE_SERVER_EXIT:-0}"
`;

interface Run {
  code: number | null;
  stderr: string;
  calls: Array<{ pid: number; args: string[] }>;
  terminated: boolean;
  entrypointPid: number;
}

// Holds the fake polityd (first on PATH) and each run's record of calls.
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "polity-entrypoint-"));
  writeFileSync(join(scratch, "polityd"), FAKE_POLITYD, { mode: 0o755 });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let runs = 0;
function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Run>; callsFile: string } {
  const callsFile = join(scratch, `calls-${++runs}`);
  writeFileSync(callsFile, "");
  const child = spawn(entrypoint, args, { env: { PATH: `${scratch}:${process.env.PATH}`, POLITYD_CALLS: callsFile, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Run>((resolve) => child.once("exit", (code) => {
    const lines = readFileSync(callsFile, "utf8").split("\n").filter(Boolean);
    const calls = lines.filter((l) => l !== "TERM").map((l) => {
      const [pid, ...rest] = l.split("\t");
      return { pid: Number(pid), args: rest };
    });
    resolve({ code, stderr, calls, terminated: lines.includes("TERM"), entrypointPid: child.pid! });
  }));
  return { child, done, callsFile };
}

const run = (args: string[], env: Record<string, string> = {}) => start(args, env).done;

/** deploy/docker/healthcheck.mjs against the admin port given. */
function healthcheck(port: number | string, env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(docker, "healthcheck.mjs")], { env: { PATH: process.env.PATH, POLITY_ADMIN_PORT: String(port), ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("exit", (code) => resolve({ code, stderr }));
  });
}

describe("the entrypoint with a fake polityd", () => {
  it("runs the server with the container's arguments, exec'd in its own place", async () => {
    const result = await run(["--tiers", "mod", "--sys-url", "http://sys:8080", "--config", "/etc/polity/my config.yaml"]);
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([{ pid: result.entrypointPid, args: ["--tiers", "mod", "--sys-url", "http://sys:8080", "--config", "/etc/polity/my config.yaml"] }]);
  });

  it("runs the server with no arguments at all", async () => {
    const result = await run([]);
    expect(result.calls).toEqual([{ pid: result.entrypointPid, args: [] }]);
  });

  it.each(["true", "TRUE", "1", "yes", "on"])("migrates first with the server's options when POLITY_MIGRATE_ON_START=%s", async (value) => {
    const result = await run(["--tiers", "sys"], { POLITY_MIGRATE_ON_START: value });
    expect(result.code).toBe(0);
    expect(result.calls.map((c) => c.args)).toEqual([["--tiers", "sys", "migrate"], ["--tiers", "sys"]]);
    expect(result.calls[0].pid).not.toBe(result.entrypointPid);
    expect(result.calls[1].pid).toBe(result.entrypointPid);
  });

  it.each(["false", "0", "no", "off", ""])("does not migrate when POLITY_MIGRATE_ON_START=%j", async (value) => {
    const result = await run(["--tiers", "sys"], { POLITY_MIGRATE_ON_START: value });
    expect(result.calls.map((c) => c.args)).toEqual([["--tiers", "sys"]]);
  });

  it("stops with migrate's exit code, and never starts the server, when migrating fails", async () => {
    const result = await run(["--tiers", "sys"], { POLITY_MIGRATE_ON_START: "true", FAKE_MIGRATE_EXIT: "3" });
    expect(result.code).toBe(3);
    expect(result.calls.map((c) => c.args)).toEqual([["--tiers", "sys", "migrate"]]);
  });

  it("refuses a POLITY_MIGRATE_ON_START it does not understand, naming it", async () => {
    const result = await run([], { POLITY_MIGRATE_ON_START: "maybe" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('POLITY_MIGRATE_ON_START must be true or false, not "maybe"');
    expect(result.calls).toEqual([]);
  });

  it("passes the server's exit code on", async () => {
    expect((await run([], { FAKE_SERVER_EXIT: "7" })).code).toBe(7);
  });

  it("runs a subcommand alone, without migrating first", async () => {
    const result = await run(["doctor", "--json"], { POLITY_MIGRATE_ON_START: "true" });
    expect(result.calls).toEqual([{ pid: result.entrypointPid, args: ["doctor", "--json"] }]);
  });

  it("lets SIGTERM reach the server itself", async () => {
    const ready = join(scratch, "ready");
    const { child, done } = start(["--tiers", "sys"], { FAKE_WAIT_FOR_TERM: ready });
    for (let i = 0; i < 200 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(ready)).toBe(true);
    child.kill("SIGTERM");
    const result = await done;
    expect(result.terminated).toBe(true);
    expect(result.code).toBe(0);
  });
});

describe("the entrypoint with the real polityd on PostgreSQL", () => {
  let db: TestDatabase;
  let realBin: string;

  beforeAll(async () => {
    db = await createTestDatabase("entrypoint");
    realBin = mkdtempSync(join(tmpdir(), "polity-entrypoint-real-"));
    symlinkSync(join(repoRoot, "bin", "polityd"), join(realBin, "polityd"));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(realBin, { recursive: true, force: true });
  });

  it("migrates, serves, and drains to exit 0 on SIGTERM", async () => {
    const child = spawn(entrypoint, ["--tiers", "sys", "--port", "0", "--host", "127.0.0.1"], {
      env: { ...process.env, PATH: `${realBin}:${process.env.PATH}`, DATABASE_URL: db.url, POLITY_MIGRATE_ON_START: "true", POLITY_TIMESPACE_AUTO_LOAD: "false", POLITY_ADMIN_PORT: "0", POLITY_SHUTDOWN_GRACE_MS: "2000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const serving = new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('"polityd serving"')) resolve();
      });
      child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
      void exited.then((code) => reject(new Error(`exited with ${code} before serving:\n${out}`)));
    });
    await serving;
    expect(out.indexOf('"migrations up to date"')).toBeGreaterThan(-1);
    expect(out.indexOf('"migrations up to date"')).toBeLessThan(out.indexOf('"polityd serving"'));
    // The image's healthcheck against the real admin listener.
    const line = out.split("\n").find((l) => l.includes('"polityd serving"'))!;
    const adminPort = new URL(JSON.parse(line).adminUrl).port;
    expect((await healthcheck(adminPort)).code).toBe(0);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});

describe("the healthcheck", () => {
  let server: Server;
  let status = 200;
  let answer = true;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? "");
      if (!answer) return;
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const check = healthcheck;
  const port = () => (server.address() as AddressInfo).port;

  it("is healthy when the admin listener's /healthz answers 200", async () => {
    status = 200;
    expect((await check(port())).code).toBe(0);
    expect(paths.at(-1)).toBe("/healthz");
  });

  it("is unhealthy on any other status, and says which", async () => {
    status = 503;
    const result = await check(port());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("HTTP 503");
  });

  it("is unhealthy when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const free = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await check(free);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ECONNREFUSED");
  });

  it("is unhealthy when the answer does not come in time", async () => {
    answer = false;
    const started = Date.now();
    const result = await check(port(), { POLITY_HEALTHCHECK_TIMEOUT_MS: "300" });
    answer = true;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("TimeoutError");
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("the Dockerfile", () => {
  const instructions = dockerfileInstructions(readFileSync(join(repoRoot, "Dockerfile"), "utf8"));
  const runtime = instructions.slice(instructions.findLastIndex((i) => i.keyword === "FROM"));
  const last = (keyword: string) => runtime.findLast((i) => i.keyword === keyword)?.args ?? "";

  it("builds on Node 22 in both stages", () => {
    const base = instructions.find((i) => i.keyword === "ARG" && i.args.startsWith("NODE_IMAGE="));
    expect(base?.args).toMatch(/^NODE_IMAGE=node:22[-.\w]*$/);
    expect(instructions.filter((i) => i.keyword === "FROM").map((i) => i.args.split(/\s+/)[0])).toEqual(["${NODE_IMAGE}", "${NODE_IMAGE}"]);
  });

  it("installs without install scripts and builds with the project's own scripts", () => {
    const runs = instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
    expect(runs).toContain("npm ci --ignore-scripts");
    expect(runs.some((r) => r.startsWith("npm prune --omit=dev --ignore-scripts"))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
    for (const script of runs.flatMap((r) => [...r.matchAll(/npm run (\S+)/g)].map((m) => m[1]))) expect(pkg.scripts, `npm run ${script}`).toHaveProperty(script);
  });

  it("runs as uid 10001 under tini, with the entrypoint, polityd and the healthcheck installed where they are called", () => {
    expect(last("USER")).toBe("10001:10001");
    expect(JSON.parse(last("ENTRYPOINT"))).toEqual(["tini", "-g", "--", "polity-entrypoint"]);
    expect(JSON.parse(last("HEALTHCHECK").replace(/^.*CMD\s+/, ""))).toEqual(["polity-healthcheck"]);
    const copies = runtime.filter((i) => i.keyword === "COPY" && i.args.startsWith("--chmod=0755 ")).map((i) => i.args.split(/\s+/).slice(1));
    expect(copies).toEqual(expect.arrayContaining([
      ["deploy/docker/entrypoint.sh", "/usr/local/bin/polity-entrypoint"],
      ["bin/polityd-prod", "/app/bin/polityd-prod"],
      ["deploy/docker/healthcheck.mjs", "/usr/local/bin/polity-healthcheck"],
    ]));
    for (const [source] of copies) expect(existsSync(join(repoRoot, source)), source).toBe(true);
    expect(last("EXPOSE").split(/\s+/)).toEqual(["8080", "9464"]);
    expect(runtime.find((i) => i.keyword === "ENV")?.args).toMatch(/POLITY_ADMIN_HOST=0\.0\.0\.0/);
  });

  it("puts polityd on PATH as the production launcher, which starts the compiled server the image copies", () => {
    expect(runtime.some((i) => i.keyword === "RUN" && i.args.includes("ln -s /app/bin/polityd-prod /usr/local/bin/polityd"))).toBe(true);
    // The launcher finds the bundle from where it sits: /app/bin/polityd-prod runs /app/dist/sys/cmd/polityd.bundle.js.
    const launcher = readFileSync(join(repoRoot, "bin", "polityd-prod"), "utf8");
    expect(launcher).toContain('entry="$root/dist/sys/cmd/polityd.bundle.js"');
    const copied = runtime.filter((i) => i.keyword === "COPY" && i.args.startsWith("--from=build ")).map((i) => i.args.split(/\s+/)[2]);
    expect(copied).toContain("./dist");
    expect(runtime.find((i) => i.keyword === "WORKDIR")?.args).toBe("/app");
  });

  it("puts the web GUI where the compiled host looks for it", () => {
    const host = readFileSync(join(repoRoot, "sys", "core", "host.ts"), "utf8");
    const segments = /const webRoot = join\(import\.meta\.dirname, ((?:"[^"]*"(?:, )?)+)\)/.exec(host)![1].split(", ").map((s) => JSON.parse(s) as string);
    const compiledWebRoot = posix.join("/app/dist/sys/core", ...segments);
    const copied = runtime.filter((i) => i.keyword === "COPY" && i.args.startsWith("--from=build ")).map((i) => posix.join("/app", i.args.split(/\s+/)[2]));
    expect(copied.some((dir) => compiledWebRoot.startsWith(`${dir}/`)), `${compiledWebRoot} is in the image`).toBe(true);
  });
});
