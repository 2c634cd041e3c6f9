// `polity disco campaigns` in-process against a real server: create with thresholds named by support role, list
// and get by title, watch follow pledges made through the API until the campaign is triggered, update, delete;
// bad flags are usage errors (exit 2) before any call.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SurveyStatus } from "../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { inProcessPolity } from "../support/cli-in-process.js";
import type { Person } from "../support/people.js";
import { startSurveyStage, type SurveyStage } from "./surveys-stage.js";

const home = mkdtempSync(join(tmpdir(), "polity-campaigns-cli-"));
let stage: SurveyStage;
let surveyId: string;
let hours: string;
const pledgers: Person[] = [];
const { polity, ok } = inProcessPolity(home, () => stage.server.url);
const where = () => ["--project", "food-bank", "--org", "survey-org-campaigns-cli"];

beforeAll(async () => {
  stage = await startSurveyStage("pglite", "campaigns_cli");
  const { survey } = await stage.surveys(stage.projectAdmin.token).createSurvey({
    projectId: stage.projectId, title: "Helpers", status: SurveyStatus.OPEN, questions: { supplyQuestions: [{ name: "Cook", unit: "meals" }] },
  });
  surveyId = survey!.id;
  hours = survey!.supplyQuestions[0]!.id;
  pledgers.push(await stage.person("cli-pledger"), await stage.person("cli-pledger"));
  await ok(["login", "--email", stage.projectAdmin.email, "--password-stdin"], "a long enough password\n");
}, 90_000);

afterAll(async () => {
  await stage?.server.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("polity disco campaigns", () => {
  it("creates a campaign with a threshold named by support role, lists it and shows it by title", async () => {
    const created = await ok(["disco", "campaigns", "create", "Winter meals", ...where(), "--active", "--category", "food", "--goal", "Warm meals",
      "--survey", "Helpers", "--threshold", "question=Cook,people=2,min=3,label=Two cooks", "--media", "video=https://video.example.org/meals",
      "--precedent", "title=Soup run,year=2010"]);
    expect(created).toMatch(/status\s+│ active/);
    expect(created).toContain("Two cooks: 0/2 people, 0 meals pledged");
    const listed = await ok(["disco", "campaigns", "list", ...where()]);
    expect(listed).toMatch(/│ Winter meals\s+│ active\s+│ food/);
    const json = JSON.parse(await ok(["--json", "disco", "campaigns", "get", "Winter meals", ...where()]));
    expect(json.campaign).toMatchObject({ title: "Winter meals", surveyProjectId: surveyId, thresholds: [{ supplyQuestionId: hours, peopleRequired: 2, minAmountPerPerson: 3 }] });
  });

  it("watches the progress live until the threshold is reached", async () => {
    const watching = polity(["disco", "campaigns", "watch", "Winter meals", ...where()]);
    await new Promise((r) => setTimeout(r, 500));
    for (const p of pledgers) await stage.answers(p.token).submitAnswers({ surveyId, answers: { pledges: [{ supplyQuestionId: hours, amount: 4 }] } });
    const run = await Promise.race([watching, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("watch did not end")), 15_000))]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^active\n {2}Two cooks: 0\/2 people, 0 meals pledged\n/);
    expect(run.stdout).toMatch(/triggered\n {2}Two cooks: 2\/2 people, 8 meals pledged — reached \d{4}-\d\d-\d\dT/);
  });

  it("updates and deletes by title", async () => {
    const updated = await ok(["disco", "campaigns", "update", "Winter meals", ...where(), "--status", "closed", "--goal", "Done"]);
    expect(updated).toMatch(/status\s+│ closed/);
    expect(updated).toMatch(/goal\s+│ Done/);
    await ok(["disco", "campaigns", "delete", "Winter meals", ...where()]);
    expect(await ok(["disco", "campaigns", "list", ...where()])).not.toContain("Winter meals");
  });

  it("refuses bad flags as usage errors, and the server's refusals with their reason", async () => {
    const noSurvey = await polity(["disco", "campaigns", "create", "Bad", ...where(), "--threshold", "question=Cook,people=2"]);
    expect(noSurvey.code).toBe(2);
    expect(noSurvey.stderr).toContain("--survey");
    expect((await polity(["disco", "campaigns", "create", "Bad", ...where(), "--threshold", "question=Cook"])).code).toBe(2);
    expect((await polity(["disco", "campaigns", "create", "Bad", ...where(), "--media", "film=https://x.example.org"])).code).toBe(2);
    expect((await polity(["disco", "campaigns", "create", "Bad", ...where(), "--action-at", "2026-06-01T18:00"])).code).toBe(2);
    const refused = await polity(["--json", "disco", "campaigns", "create", "Bad", ...where(), "--media", "video=http://insecure.example.org"]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr).error).toMatchObject({ code: "INVALID_ARGUMENT", reason: "VALIDATION_FAILED" });
  });
});
