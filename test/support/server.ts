// Test servers: in-process (fast, for full-server tests on a real transport) and as a child process running
// bin/polityd (for multi-process and CLI tests). Both listen on port 0 and report their URL; their admin
// listeners (/metrics, /healthz, /readyz) too, on a port of their own (`adminUrl`).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { loadConfig } from "../../sys/core/config.js";
import { type ComposeOptions, composeHost } from "../../sys/cmd/compose.js";
import type { Host } from "../../sys/core/host.js";
import { createTestDatabase } from "./postgres.js";

export const repoRoot = join(import.meta.dirname, "..", "..");

export interface TestServer {
  url: string;
  port: number;
  /** The admin listener: /metrics, /healthz, /readyz. */
  adminUrl: string;
  logs: string[];
  stop(): Promise<void>;
}

// Every test signs its people up from 127.0.0.1; the production default (10 an hour per address) would cut them.
// Tests load only the places they need (test/support/places.ts), not the whole dataset in the background.
// Many servers run at once: each admin listener takes a free port (a test may still set its own).
const TEST_LIMITS = { POLITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR: "100000", POLITY_TIMESPACE_AUTO_LOAD: "false", POLITY_ADMIN_PORT: "0" };

/** Runs the host in this process. `env` uses the same names as production (POLITY_*, DATABASE_URL). */
export async function startInProcessServer(env: Record<string, string> = {}, options: ComposeOptions = {}): Promise<TestServer & { host: Host }> {
  const dataDir = mkdtempSync(join(tmpdir(), "polity-test-"));
  const config = loadConfig({ env: { POLITY_DATA_DIR: dataDir, POLITY_PORT: "0", POLITY_HOST: "127.0.0.1", POLITY_SHUTDOWN_GRACE_MS: "2000", ...TEST_LIMITS, ...env } });
  const logs: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });
  const host = await composeHost(config, logger, options);
  return {
    host,
    url: host.url,
    port: host.port,
    adminUrl: host.adminUrl,
    logs,
    async stop() {
      await host.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An in-process server on a fresh PostgreSQL database of its own; `stop()` also drops the database. */
export async function startPostgresServer(label: string, env: Record<string, string> = {}): Promise<TestServer & { host: Host }> {
  const database = await createTestDatabase(label);
  try {
    const server = await startInProcessServer({ DATABASE_URL: database.url, ...env });
    return {
      ...server,
      async stop() {
        await server.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/**
 * Spawns `bin/polityd` (or `command`, e.g. plain node on the compiled server) with the given flags and env;
 * resolves once it logs that it serves.
 */
export async function startProcessServer(args: string[], env: Record<string, string> = {}, timeoutMs = 60000, command = [join(repoRoot, "bin", "polityd")]): Promise<TestServer & { child: ChildProcess }> {
  const dataDir = mkdtempSync(join(tmpdir(), "polity-proc-"));
  const child = spawn(command[0], [...command.slice(1), "--port", "0", "--host", "127.0.0.1", ...args], {
    cwd: repoRoot,
    env: { ...process.env, POLITY_DATA_DIR: dataDir, LOG_LEVEL: "info", ...TEST_LIMITS, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const { url, adminUrl } = await new Promise<{ url: string; adminUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`polityd did not start in ${timeoutMs} ms:\n${logs.join("")}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      logs.push(text);
      for (const line of text.split("\n")) {
        if (!line.includes('"polityd serving"')) continue;
        clearTimeout(timer);
        const serving = JSON.parse(line) as { url: string; adminUrl: string };
        resolve({ url: serving.url, adminUrl: serving.adminUrl });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`polityd exited with ${code}:\n${logs.join("")}`));
    });
  });
  return {
    child,
    url,
    adminUrl,
    port: Number(new URL(url).port),
    logs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
