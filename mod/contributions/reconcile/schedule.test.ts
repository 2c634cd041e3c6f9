// The periodic reconciliation's lease on PostgreSQL: every enabled GitHub instance gets a due row; replicas
// racing for it run it exactly once, and it is not due again until its interval has passed. (The instance here
// has no repository to list; what a run lists and replays is tested end to end in test/contributions.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { dateOf, query, tableOf } from "../../../sys/core/sql.js";
import type { ContributionsDeps } from "../deps.js";
import { ReconcileRunEntity } from "../entities.js";
import { loadProgramme } from "../programme/store.js";
import { type ContributionsStage, startContributionsStage } from "../test-support.js";
import { reconcileOneDue, syncReconcileRuns } from "./schedule.js";

describe("reconciliation schedule", () => {
  let stage: ContributionsStage;
  let deps: ContributionsDeps;
  beforeAll(async () => {
    stage = await startContributionsStage("postgres", "contrib_schedule");
    deps = { db: stage.db, logger: pino({ level: "silent" }), governance: stage.governance, identity: () => stage.identity };
  }, 60_000);
  afterAll(async () => {
    await stage?.close();
  });

  it("runs a due instance on exactly one of the replicas racing for it, then not again before its interval", async () => {
    await syncReconcileRuns(deps);
    await syncReconcileRuns(deps);
    const em = stage.db.em();
    const rows = await query<{ instance_id: string; next_run_at: Date; listed_since: Date | null }>(em, `select * from ${tableOf(em, ReconcileRunEntity)}`);
    expect(rows.map((r) => [r.instance_id, r.listed_since])).toEqual([[stage.instanceId, null]]);

    const started = Date.now();
    const ran = await Promise.all(Array.from({ length: 5 }, () => reconcileOneDue(deps, 3600)));
    expect(ran.filter(Boolean)).toHaveLength(1);
    expect(await reconcileOneDue(deps, 3600)).toBe(false);
    const [after] = await query<{ next_run_at: Date; listed_since: Date }>(em, `select * from ${tableOf(em, ReconcileRunEntity)}`);
    expect(dateOf(after!.next_run_at).getTime()).toBeGreaterThanOrEqual(started + 3600_000 - 1000);
    expect(dateOf(after!.listed_since).getTime()).toBeGreaterThanOrEqual(started - 1000);
    expect((await loadProgramme(em, stage.communityId)).lastReconcileAt).toBeDefined();

    // Due again (its time has come): taken once more.
    await query(em, `update ${tableOf(em, ReconcileRunEntity)} set next_run_at = ?`, [new Date(Date.now() - 1000)]);
    expect(await reconcileOneDue(deps, 3600)).toBe(true);
  });
});
