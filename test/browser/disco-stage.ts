// The stage of the disco browser tests: polityd on a PostgreSQL database of its own, a bootstrap admin signed in
// through the SDK, an org with a project, and that project's open survey with one support role ("Volunteer", in
// hours) for campaigns to count. Tests that need places load them (test/support/places.ts).
import { createClient } from "@connectrpc/connect";
import type { PolityClient } from "../../clients/src/core.js";
import { createPolityClient } from "../../clients/src/node.js";
import { SurveyService, SurveyStatus } from "../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { AnswerService } from "../../clients/src/gen/polity/mod/disco/v1/answers_pb.js";
import { clientFor } from "../support/clients.js";
import { signUpVerified } from "../support/people.js";
import { startPostgresServer, type TestServer } from "../support/server.js";
import type { Host } from "../../sys/core/host.js";

export const ADMIN = { email: "disco-admin@example.org", password: "correct horse battery" };

// GeoNames ids of the packaged dataset's cities the tests use.
export const PARIS = "gn:2988507";
export const LYON = "gn:2996944";
export const MARSEILLE = "gn:2995469";
export const BERLIN = "gn:2950159";

export interface DiscoStage {
  server: TestServer & { host: Host };
  admin: PolityClient;
  orgId: string;
  projectId: string;
  surveyId: string;
  volunteerRoleId: string;
}

export async function startDiscoStage(label: string): Promise<DiscoStage> {
  const server = await startPostgresServer(label, { POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
  try {
    const admin = createPolityClient({ baseUrl: server.url });
    await admin.auth.login(ADMIN);
    const { org } = await admin.orgs.createOrg({ slug: "climate-coop", displayName: "Climate Coop" });
    const { project } = await admin.orgs.createProject({ orgId: org!.id, slug: "river-cleanup", displayName: "River cleanup" });
    const { survey } = await createClient(SurveyService, admin.transport).createSurvey({
      projectId: project!.id, title: "Who helps the river?", status: SurveyStatus.OPEN,
      questions: { supplyQuestions: [{ name: "Volunteer", description: "Hours on the river banks", unit: "hours" }], needQuestions: [] },
    });
    return { server, admin, orgId: org!.id, projectId: project!.id, surveyId: survey!.id, volunteerRoleId: survey!.supplyQuestions[0].id };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** A new verified person who pledges `hours` to the stage's survey through the API (their counted answer set). */
export async function pledgeHours(stage: DiscoStage, email: string, hours: number): Promise<void> {
  const person = await signUpVerified(stage.server.url, stage.server.logs, email);
  await clientFor(AnswerService, stage.server.url, person.token).submitAnswers({
    surveyId: stage.surveyId, answers: { pledges: [{ supplyQuestionId: stage.volunteerRoleId, amount: hours }] },
  });
}
