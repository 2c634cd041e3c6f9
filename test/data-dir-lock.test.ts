// Two polityd processes on one embedded data directory would corrupt its PGlite cluster: the second is refused
// with the holder's pid, and a lock left by a process that is gone does not block the next start.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../sys/core/config.js";
import { lockDataDir } from "../sys/core/data-dir-lock.js";
import { startProcessServer, type TestServer } from "./support/server.js";

const dataDir = mkdtempSync(join(tmpdir(), "polity-lock-"));
const started: TestServer[] = [];
afterAll(async () => {
  for (const server of started) await server.stop().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the data directory lock", () => {
  it("refuses a second polityd on the same data dir, naming the holder, and lets a new one start after it stops", async () => {
    const first = await startProcessServer([], { POLITY_DATA_DIR: dataDir });
    started.push(first);
    const refused = await startProcessServer([], { POLITY_DATA_DIR: dataDir }).then(
      (second) => { started.push(second); return "started"; },
      (error: Error) => error.message,
    );
    expect(refused).toContain("polityd exited with 2");
    expect(refused).toContain(`in use by polityd pid ${first.child.pid}`);
    expect(refused).toContain(join(dataDir, "pgdata"));
    expect(readFileSync(join(dataDir, "pgdata.lock"), "utf8")).toContain(`"pid":${first.child.pid}`);

    await first.stop();
    const third = await startProcessServer([], { POLITY_DATA_DIR: dataDir });
    started.push(third);
    expect(readFileSync(join(dataDir, "pgdata.lock"), "utf8")).toContain(`"pid":${third.child.pid}`);
  }, 120_000);

  it("takes over a lock whose process is gone, and refuses one held in this process", () => {
    const dir = join(dataDir, "stale");
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: Number(gone), since: "2026-01-01T00:00:00Z", host: hostname() }));
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(`${dir}.lock`, "utf8")).pid).toBe(process.pid);
    expect(() => lockDataDir(dir)).toThrow(ConfigError);
    expect(() => lockDataDir(dir)).toThrow(`in use by polityd pid ${process.pid}`);
    lock.release();
    lockDataDir(dir).release();
  });
});
