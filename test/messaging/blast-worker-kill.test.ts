// The blast benchmark at small scale, for its counts rather than its speed: one `--tiers sys,mod` process and two
// `--tiers worker` processes on PostgreSQL send two blasts through the webhook provider to a receiver that counts
// Idempotency-Keys; during the second, one worker is killed with SIGKILL. Every message arrives, each under one key,
// and both blasts end DONE.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PG_ADMIN_URL } from "../support/postgres.js";

const MESSAGES = 400;

describe("a blast with a worker killed mid-way (bench/messaging-blast.ts, small)", () => {
  it("delivers every message under its own Idempotency-Key, before and after a worker dies", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../../bench/messaging-blast.ts"), "--messages", String(MESSAGES), "--baseline-posts", "0", "--kill-at", "0.25", "--json"], {
      cwd: join(import.meta.dirname, "../.."), encoding: "utf8", timeout: 280_000, env: { ...process.env, POLITY_MESSAGING_SEND_BATCH: "50", BENCH_DATABASE_URL: PG_ADMIN_URL.replace(/\/postgres$/, "") },
    });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    expect(result.plain).toMatchObject({ delivered: MESSAGES, state: "DONE" });
    expect(result.crash).toMatchObject({ delivered: MESSAGES, state: "DONE" });
    expect(result.plain.posts).toBe(MESSAGES);
  }, 300_000);
});
