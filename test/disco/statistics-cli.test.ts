// `polity disco stats` in-process against a server on PostgreSQL: the table (small groups shown as "–"), --json,
// and --csv streaming exactly the bytes ExportSurveyStatistics sends; the project named by slug with --org.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { StatisticsDimension, StatisticsService } from "../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";
import { inProcessPolity } from "../support/cli-in-process.js";
import { clientFor } from "../support/clients.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startInProcessServer, type TestServer } from "../support/server.js";
import { createStageOrg, insertStage, stageAnswers, type StageSurvey } from "./statistics-stage.js";

const ADMIN = { email: "stats-cli-admin@example.org", password: "a long admin password" };
const home = mkdtempSync(join(tmpdir(), "polity-stats-cli-"));
let database: TestDatabase;
let server: TestServer;
let root: string;
let projectId: string;
let survey: StageSurvey;
const { polity, ok } = inProcessPolity(home, () => server.url);

beforeAll(async () => {
  database = await createTestDatabase("disco_stats_cli");
  server = await startInProcessServer({ DATABASE_URL: database.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
  root = (await clientFor(AuthService, server.url).login(ADMIN)).tokens!.accessToken;
  const org = await createStageOrg(server.url, root, "stats-cli");
  projectId = org.projectId;
  survey = await insertStage(database.url, { orgId: org.orgId, projectId, createdBy: crypto.randomUUID() }, stageAnswers());
  await ok(["login", "--email", ADMIN.email, "--password-stdin"], `${ADMIN.password}\n`);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  rmSync(home, { recursive: true, force: true });
});

describe("polity disco stats", () => {
  it("prints a table per group, small groups as –", async () => {
    const out = await ok(["disco", "stats", survey.id, "--project", "winter", "--org", "stats-cli", "--group-by", "country"]);
    expect(out).toMatch(/│ GROUP\s+│ PEOPLE\s+│ Cook meals \(people · meals\)/);
    expect(out).toMatch(/│ FR\s+│ 12\s+│.*│ 12: yes –, no –\s+│/);
    expect(out).toMatch(/│ BE\s+│ –\s+│/);
    expect(out).toMatch(/│ total\s+│ –\s+│/);
    expect(out).toContain("fewer than 5 people");
    // The survey named by its title, as `polity disco surveys list` shows it.
    expect(await ok(["disco", "stats", "Winter help", "--project", "winter", "--org", "stats-cli", "--group-by", "country"])).toBe(out);
    expect(out).not.toContain("Secrète");
  });

  it("--csv streams what ExportSurveyStatistics sends", async () => {
    const out = await ok(["disco", "stats", survey.id, "--project", projectId, "--group-by", "country,age-range", "--zone", "Europe/Paris", "--csv"]);
    let want = "";
    const query = { groupBy: [StatisticsDimension.COUNTRY, StatisticsDimension.AGE_RANGE], timeZone: "Europe/Paris" };
    for await (const { chunk } of clientFor(StatisticsService, server.url, root).exportSurveyStatistics({ projectId, surveyProjectId: survey.id, query })) want += new TextDecoder().decode(chunk);
    expect(out).toBe(want);
    expect(out.split("\r\n")[0]).toBe("scope,country,country_name,age_range,question_id,question,measure,option,value,unit,suppressed");
  });

  it("--json prints the message; filters reach the server", async () => {
    const json = JSON.parse(await ok(["disco", "stats", survey.id, "--project", projectId, "--country", "fr", "--from", "2026-03-01", "--to", "2026-04-01", "--json"]));
    expect(json.minGroupSize).toBe(5);
    expect(json.total.respondents).toBeGreaterThan(0);
    expect(json.total.respondents).toBeLessThan(12);
  });

  it("refuses what it cannot ask", async () => {
    const bad = await polity(["disco", "stats", survey.id, "--project", projectId, "--group-by", "planet"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("not a dimension");
    const zone = await polity(["disco", "stats", survey.id, "--project", projectId, "--group-by", "day", "--zone", "Mars/Base"]);
    expect(zone.code).toBe(1);
    expect(zone.stderr).toMatch(/time zone/);
  });
});
