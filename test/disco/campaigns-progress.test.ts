// Campaign progress and threshold crossings at the database, on PostgreSQL and PGlite, through the hook the
// surveys area calls inside each transaction that changes pledges: only counted sets count (an account's, not
// withdrawn); concurrent pledges record a crossing exactly once, by the pledge that reached the threshold; a
// withdrawal lowers progress but keeps the crossing; the campaign triggers when every threshold is crossed;
// and the DiscoPort lists crossings per community in commit order.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../sys/core/config.js";
import { type Database, type EntityManager, openDatabase } from "../../sys/core/db.js";
import { createNotifier } from "../../sys/core/notifier.js";
import { query, tableOf } from "../../sys/core/sql.js";
import { pledgesChanged } from "../../mod/disco/campaigns/crossings.js";
import { CampaignEntity, CrossingEntity, ThresholdEntity } from "../../mod/disco/campaigns/entities.js";
import { measureThresholds } from "../../mod/disco/campaigns/progress.js";
import { createDiscoModule } from "../../mod/disco/module.js";
import { createDiscoPort } from "../../mod/disco/port.js";
import { AnswerSet, Pledge, SupplyQuestion, SurveyProject } from "../../mod/disco/surveys/entities.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";

const uuid = () => crypto.randomUUID();
const orgId = uuid();
const projectId = uuid();

describe.each(["postgres", "pglite"] as const)("campaign progress on %s", (backend) => {
  let db: Database;
  let pgDb: TestDatabase | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), "polity-campaigns-"));

  beforeAll(async () => {
    pgDb = backend === "postgres" ? await createTestDatabase("campaign_progress") : undefined;
    const disco = createDiscoModule();
    db = await openDatabase({
      tier: "mod", config: loadConfig({ env: { POLITY_DATA_DIR: dataDir } }), logger: pino({ level: "silent" }),
      entities: disco.entities, migrations: disco.migrations, url: pgDb?.url,
    });
    await db.migrate();
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
    await pgDb?.drop();
  });

  /** A survey with one supply question ("hours"), and an active campaign on it with these thresholds. */
  async function stage(thresholds: Array<{ people?: number; total?: number; min?: number }>, communityId: string | null = null) {
    const em = db.em().fork() as EntityManager;
    const surveyId = uuid();
    const questionId = uuid();
    const campaignId = uuid();
    const now = new Date();
    await em.insert(SurveyProject, { id: surveyId, orgId, projectId, title: "Survey", description: "", category: "", status: "open", createdBy: uuid(), createdAt: now, updatedAt: now, deletedAt: null });
    await em.insert(SupplyQuestion, { id: questionId, surveyProjectId: surveyId, position: 0, name: "Volunteer", description: "", unit: "hours", deletedAt: null });
    await em.insert(CampaignEntity, {
      id: campaignId, orgId, projectId, surveyProjectId: surveyId, title: "Campaign", goal: "", strategy: "", category: "", placeId: null, countryId: null,
      status: "active", actionLocal: null, actionZone: null, actionDisambiguation: null, actionAt: null, precedents: [], media: [],
      notifyCommunityId: communityId, createdBy: uuid(), createdAt: now, updatedAt: now, triggeredAt: null, deletedAt: null,
    });
    const ids: string[] = [];
    for (const [position, t] of thresholds.entries()) {
      const id = uuid();
      ids.push(id);
      await em.insert(ThresholdEntity, {
        id, campaignId, position, label: `T${position}`, supplyQuestionId: questionId, minAmount: (t.min ?? 0).toFixed(2),
        peopleRequired: t.people ?? 0, totalRequired: (t.total ?? 0).toFixed(2), crossedAt: null,
      });
    }
    return { surveyId, questionId, campaignId, thresholdIds: ids };
  }

  /** What the surveys area does on a submit: the set, its pledge, and the hook, in one transaction. */
  async function submit(surveyId: string, questionId: string, amount: number, accountId: string | null = uuid()): Promise<string> {
    const setId = uuid();
    await db.em().fork().transactional(async (txem) => {
      const tx = txem as EntityManager;
      const now = new Date();
      await tx.insert(AnswerSet, { id: setId, surveyProjectId: surveyId, orgId, projectId, accountId, questionnaireId: null, placeId: null, countryId: null, ageRange: null, submittedAt: now, updatedAt: now, withdrawnAt: null });
      await tx.insert(Pledge, { answerSetId: setId, supplyQuestionId: questionId, amount: amount.toFixed(2) });
      await pledgesChanged(tx, surveyId);
    });
    return setId;
  }

  async function withdraw(surveyId: string, setId: string): Promise<void> {
    await db.em().fork().transactional(async (txem) => {
      const tx = txem as EntityManager;
      await query(tx, `update ${tableOf(tx, AnswerSet)} set withdrawn_at = ? where id = ?`, [new Date(), setId]);
      await pledgesChanged(tx, surveyId);
    });
  }

  const crossings = async (campaignId: string) => db.em().fork().find(CrossingEntity, { campaignId }, { orderBy: { sequence: "asc" } });
  const campaign = async (campaignId: string) => db.em().fork().findOneOrFail(CampaignEntity, { id: campaignId });

  it("counts only sets of accounts that are not withdrawn, and people only at the minimum pledge", async () => {
    const s = await stage([{ people: 100, min: 5 }]);
    await submit(s.surveyId, s.questionId, 10);
    await submit(s.surveyId, s.questionId, 4);
    await submit(s.surveyId, s.questionId, 7, null); // an unclaimed anonymous questionnaire
    const gone = await submit(s.surveyId, s.questionId, 20);
    await withdraw(s.surveyId, gone);
    const [m] = await measureThresholds(db.em().fork() as EntityManager, [s.campaignId]);
    expect({ people: m!.people, total: m!.total, unit: m!.unit }).toEqual({ people: 1, total: 14, unit: "hours" });
    expect(await crossings(s.campaignId)).toEqual([]);
  });

  it("records a crossing exactly once under concurrent pledges, by the pledge that reached it", async () => {
    const s = await stage([{ people: 12, min: 10 }]);
    await Promise.all(Array.from({ length: 20 }, () => submit(s.surveyId, s.questionId, 10)));
    const [crossing, ...more] = await crossings(s.campaignId);
    expect(more).toEqual([]);
    expect(crossing!.people).toBe(12);
    expect(crossing!.thresholdId).toBe(s.thresholdIds[0]);
    const [m] = await measureThresholds(db.em().fork() as EntityManager, [s.campaignId]);
    expect(m!.people).toBe(20);
    expect(m!.crossedAt).toEqual(crossing!.crossedAt);
    // Its only threshold crossed: the campaign is triggered.
    const row = await campaign(s.campaignId);
    expect(row.status).toBe("triggered");
    expect(row.triggeredAt).toEqual(crossing!.crossedAt);
  });

  it("keeps a crossing when a withdrawal lowers progress below it, and does not record it again on the way back up", async () => {
    const s = await stage([{ total: 30 }, { people: 10 }]);
    const sets = [await submit(s.surveyId, s.questionId, 15), await submit(s.surveyId, s.questionId, 15)];
    expect((await crossings(s.campaignId)).map((c) => c.thresholdId)).toEqual([s.thresholdIds[0]]);
    // One of two thresholds: still active.
    expect((await campaign(s.campaignId)).status).toBe("active");
    await withdraw(s.surveyId, sets[0]!);
    const [total] = await measureThresholds(db.em().fork() as EntityManager, [s.campaignId]);
    expect(total!.total).toBe(15);
    expect(total!.crossedAt).not.toBeNull();
    await submit(s.surveyId, s.questionId, 40);
    expect(await crossings(s.campaignId)).toHaveLength(1);
  });

  it("ignores pledges for drafts and closed campaigns", async () => {
    const s = await stage([{ people: 1 }]);
    await query(db.em().fork() as EntityManager, `update ${tableOf(db.em(), CampaignEntity)} set status = 'draft' where id = ?`, [s.campaignId]);
    await submit(s.surveyId, s.questionId, 3);
    expect(await crossings(s.campaignId)).toEqual([]);
    expect((await campaign(s.campaignId)).status).toBe("draft");
  });

  it("lists a community's crossings in commit order through the port, with a cursor that passes other communities'", async () => {
    const community = uuid();
    const port = createDiscoPort({ db, notifier: createNotifier(db) });
    const start = await port.crossingsHead();
    const heard: string[] = [];
    const unsubscribe = port.onCrossing((c) => heard.push(c));
    const mine = await stage([{ people: 1 }, { people: 2 }], community);
    const other = await stage([{ people: 1 }], uuid());
    await submit(other.surveyId, other.questionId, 1);
    await submit(mine.surveyId, mine.questionId, 1);
    await submit(mine.surveyId, mine.questionId, 1);
    const first = await port.crossingsSince(community, start, 1);
    expect(first.crossings.map((c) => [c.thresholdLabel, c.people, c.unit, c.campaignTitle])).toEqual([["T0", 1, "hours", "Campaign"]]);
    const rest = await port.crossingsSince(community, first.through, 10);
    expect(rest.crossings.map((c) => c.thresholdLabel)).toEqual(["T1"]);
    expect(rest.through).toBe(await port.crossingsHead());
    expect(await port.crossingsSince(community, rest.through, 10)).toEqual({ crossings: [], through: rest.through });
    // Notifications arrive after the commits (LISTEN/NOTIFY on PostgreSQL): wait for them, then for any extra one.
    await vi.waitFor(() => expect(heard.filter((c) => c === community)).toHaveLength(2), { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 300));
    unsubscribe();
    expect(heard.filter((c) => c === community)).toHaveLength(2);
    expect((await campaign(mine.campaignId)).status).toBe("triggered");
  });
});
