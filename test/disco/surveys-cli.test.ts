// `polity disco surveys|answer|answers` in-process against a real server: an admin creates a survey from a YAML
// question file, lists, gets and updates it by title (the questions that stay keep their ids); a person answers
// with roles and needs named in words, sees and withdraws their answers; an anonymous answer's claim token is
// claimed by the account; the admin lists the answers. Bad flags are usage errors (exit 2) before any call.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inProcessPolity } from "../support/cli-in-process.js";
import type { Person } from "../support/people.js";
import { startSurveyStage, type SurveyStage } from "./surveys-stage.js";

const home = mkdtempSync(join(tmpdir(), "polity-surveys-cli-"));
let stage: SurveyStage;
let person: Person;
const admin = inProcessPolity(join(home, "admin"), () => stage.server.url);
const someone = inProcessPolity(join(home, "someone"), () => stage.server.url);
const stranger = inProcessPolity(join(home, "stranger"), () => stage.server.url);
const where = () => ["--project", "food-bank", "--org", "survey-org-surveys-cli"];

const QUESTIONS = `
supply:
  - name: Driver
    unit: hours
    description: Collect food from shops
needs:
  - group: Household
    prompt: Do you need food parcels?
    kind: boolean
  - prompt: Preferred day
    kind: choice
    options: [saturday, sunday]
    required: true
`;

beforeAll(async () => {
  stage = await startSurveyStage("pglite", "surveys_cli");
  person = await stage.person("cli-person");
  await admin.ok(["login", "--email", stage.projectAdmin.email, "--password-stdin"], "a long enough password\n");
  await someone.ok(["login", "--email", person.email, "--password-stdin"], "a long enough password\n");
  writeFileSync(join(home, "questions.yaml"), QUESTIONS);
}, 90_000);

afterAll(async () => {
  await stage?.server.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("polity disco surveys and answers", () => {
  it("creates a survey from a question file, lists it and shows it by title", async () => {
    const created = await admin.ok(["disco", "surveys", "create", ...where(), "--title", "Food bank helpers", "--status", "open", "--category", "food", "--questions", join(home, "questions.yaml")]);
    expect(created).toMatch(/status\s+│ open/);
    expect(created).toMatch(/│ Driver\s+│ hours/);
    const listed = await admin.ok(["disco", "surveys", "list", ...where()]);
    expect(listed).toMatch(/│ Food bank helpers\s+│ open\s+│ food\s+│ 1\s+│ 2/);
    const json = JSON.parse(await admin.ok(["--json", "disco", "surveys", "get", "Food bank helpers", ...where()]));
    expect(json.survey.needQuestions.map((q: { prompt: string }) => q.prompt)).toEqual(["Do you need food parcels?", "Preferred day"]);
  });

  it("updates by title: questions that stay keep their ids", async () => {
    const before = JSON.parse(await admin.ok(["--json", "disco", "surveys", "get", "Food bank helpers", ...where()])).survey;
    writeFileSync(join(home, "more.yaml"), `${QUESTIONS}  - prompt: Anything else?\n    kind: text\n`);
    const after = JSON.parse(await admin.ok(["--json", "disco", "surveys", "update", "Food bank helpers", ...where(), "--title", "Food bank", "--questions", join(home, "more.yaml")])).survey;
    expect(after.title).toBe("Food bank");
    expect(after.supplyQuestions[0].id).toBe(before.supplyQuestions[0].id);
    expect(after.needQuestions.slice(0, 2).map((q: { id: string }) => q.id)).toEqual(before.needQuestions.map((q: { id: string }) => q.id));
    expect(after.needQuestions).toHaveLength(3);
  });

  it("a person answers with words, sees and withdraws their answers", async () => {
    const surveyId = JSON.parse(await admin.ok(["--json", "disco", "surveys", "get", "Food bank", ...where()])).survey.id;
    const answered = await someone.ok(["disco", "answer", surveyId, "--pledge", "driver=3.5", "--need", "Preferred day=sunday", "--need", "do you need food parcels?=no", "--age", "25-34"]);
    expect(answered).toMatch(/counted\s+│ yes/);
    expect(answered).toContain("Driver 3.5 hours");
    const mine = JSON.parse(await someone.ok(["--json", "disco", "answers", "mine", surveyId]));
    expect(mine.answerSet).toMatchObject({ counted: true, answers: { ageRange: "AGE_RANGE_25_34", pledges: [{ amount: 3.5 }] } });
    expect(await someone.ok(["disco", "answers", "withdraw", surveyId])).toContain("Withdrawn");
    expect(JSON.parse(await someone.ok(["--json", "disco", "answers", "mine", surveyId])).answerSet.counted).toBe(false);

    const bad = await someone.polity(["disco", "answer", surveyId, "--need", "Preferred day=friday"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("friday");
    for (const args of [["--pledge", "nobody=1"], ["--pledge", "driver"], ["--need", "Do you need food parcels?=maybe"], ["--age", "30"]]) {
      expect((await someone.polity(["disco", "answer", surveyId, ...args])).code, args.join(" ")).toBe(2);
    }
  });

  it("an anonymous answer's claim token is claimed by the account; the admin lists the answers", async () => {
    const surveyId = JSON.parse(await admin.ok(["--json", "disco", "surveys", "get", "Food bank", ...where()])).survey.id;
    const anonymous = await stranger.ok(["disco", "answer", surveyId, "--anonymous", "--email", "anon@example.org", "--name", "Anon", "--need", "Preferred day=saturday", "--pledge", "Driver=2"]);
    const token = /claim token \(shown once\): (\S+)/.exec(anonymous)?.[1];
    expect(token).toMatch(/^pdc_/);
    const listedBefore = await admin.ok(["disco", "answers", "list", "Food bank", ...where()]);
    expect(listedBefore).toContain("anon@example.org");

    const claimed = await someone.ok(["disco", "answers", "claim", token!, "--replace"]);
    expect(claimed).toMatch(/counted\s+│ yes/);
    const counted = JSON.parse(await admin.ok(["--json", "disco", "answers", "list", "Food bank", ...where(), "--counted"]));
    expect(counted.answerSets.map((a: { accountId: string }) => a.accountId)).toEqual([person.accountId]);
    expect((await someone.polity(["disco", "answers", "claim", token!])).code).toBe(1);
    // A person cannot list the project's answers.
    expect((await someone.polity(["disco", "answers", "list", surveyId, "--project", stage.projectId])).code).toBe(1);
  });

  it("deletes by title", async () => {
    expect(await admin.ok(["disco", "surveys", "delete", "Food bank", ...where()])).toContain("Deleted survey");
    expect((await admin.polity(["disco", "surveys", "get", "Food bank", ...where()])).code).toBe(2);
  });
});
