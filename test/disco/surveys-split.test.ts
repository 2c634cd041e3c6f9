// Surveys with sys and mod as two processes: the mod tier learns a survey's org from sys's GetProject, asked
// with the caller's own token (DirectoryPort.getProject, remote), and a project sys does not have is NOT_FOUND.
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SurveyService, SurveyStatus } from "../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { clientFor } from "../support/clients.js";
import { rejection } from "../support/failures.js";
import { type Person, signIn, signUpVerified } from "../support/people.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startProcessServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };

describe("surveys with sys and mod as two processes", () => {
  let sysDb: TestDatabase, modDb: TestDatabase;
  let sys: TestServer, mod: TestServer;
  let projectAdmin: Person;
  let orgId: string, projectId: string;

  beforeAll(async () => {
    [sysDb, modDb] = await Promise.all([createTestDatabase("surveys_split_sys"), createTestDatabase("surveys_split_mod")]);
    sys = await startProcessServer(["--tiers", "sys"], { DATABASE_URL: sysDb.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    mod = await startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { DATABASE_URL: modDb.url });
    const admin = await signIn(sys.url, ADMIN.email, ADMIN.password);
    projectAdmin = await signUpVerified(sys.url, sys.logs, "padmin@example.org");
    const orgs = clientFor(OrgProjectService, sys.url, admin.token);
    orgId = (await orgs.createOrg({ slug: "split-surveys", displayName: "Split surveys" })).org!.id;
    projectId = (await orgs.createProject({ orgId, slug: "p1", displayName: "P1" })).project!.id;
    await clientFor(AuthzService, sys.url, admin.token).grantRole({ accountId: projectAdmin.accountId, role: "project.admin", resource: `project/${projectId}` });
  }, 120_000);

  afterAll(async () => {
    await mod?.stop();
    await sys?.stop();
    await Promise.all([sysDb?.drop(), modDb?.drop()]);
  });

  it("a project admin's survey belongs to the project's org, as sys says", async () => {
    const surveys = clientFor(SurveyService, mod.url, projectAdmin.token);
    const { survey } = await surveys.createSurvey({ projectId, title: "Split", status: SurveyStatus.OPEN, questions: { supplyQuestions: [{ name: "Cook", unit: "meals" }] } });
    expect([survey!.orgId, survey!.projectId]).toEqual([orgId, projectId]);
    expect((await clientFor(SurveyService, mod.url).getSurvey({ surveyId: survey!.id })).survey!.supplyQuestions[0]!.name).toBe("Cook");
  });

  it("a project sys does not have is NOT_FOUND (the superadmin may ask about any)", async () => {
    const root = await signIn(sys.url, ADMIN.email, ADMIN.password);
    const missing = await rejection(clientFor(SurveyService, mod.url, root.token).createSurvey({ projectId: crypto.randomUUID(), title: "Nowhere" }));
    expect(missing.code).toBe(Code.NotFound);
  });
});
