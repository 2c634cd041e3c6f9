// The stage of the survey and answer tests: a real server (PGlite, or PostgreSQL), the bootstrap admin, an org
// with two projects, a project admin of the first, an org member, and a client per person for both services.
import { AnswerService } from "../../clients/src/gen/polity/mod/disco/v1/answers_pb.js";
import { NeedKind, SurveyService, SurveyStatus } from "../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import type { Host } from "../../sys/core/host.js";
import { clientFor } from "../support/clients.js";
import { signIn, signUpVerified, type Person } from "../support/people.js";
import { startInProcessServer, startPostgresServer, type TestServer } from "../support/server.js";

export const ADMIN = { email: "survey-root@example.org", password: "correct horse battery" };

export interface SurveyStage {
  server: TestServer & { host: Host };
  orgId: string;
  projectId: string;
  otherProjectId: string;
  root: Person;
  /** project.admin of projectId only. */
  projectAdmin: Person;
  /** org.member of the org: sees the projects, manages nothing. */
  orgMember: Person;
  /** project.admin of otherProjectId only. */
  otherAdmin: Person;
  surveys(token?: string): ReturnType<typeof clientFor<typeof SurveyService>>;
  answers(token?: string): ReturnType<typeof clientFor<typeof AnswerService>>;
  /** A new verified person. */
  person(name: string): Promise<Person>;
}

let people = 0;

export async function startSurveyStage(backend: "pglite" | "postgres", label: string): Promise<SurveyStage> {
  const env = { POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password };
  const server = backend === "postgres" ? await startPostgresServer(label, env) : await startInProcessServer(env);
  try {
    const root = await signIn(server.url, ADMIN.email, ADMIN.password);
    const orgs = clientFor(OrgProjectService, server.url, root.token);
    const { org } = await orgs.createOrg({ slug: `survey-org-${label.replace(/_/g, "-")}`, displayName: "Survey org" });
    const { project } = await orgs.createProject({ orgId: org!.id, slug: "food-bank", displayName: "Food bank" });
    const { project: other } = await orgs.createProject({ orgId: org!.id, slug: "river", displayName: "River" });
    const person = (name: string) => signUpVerified(server.url, server.logs, `${name}-${++people}@example.org`);
    const authz = clientFor(AuthzService, server.url, root.token);
    const [projectAdmin, orgMember, otherAdmin] = await Promise.all([person("padmin"), person("member"), person("oadmin")]);
    await authz.grantRole({ accountId: projectAdmin.accountId, role: "project.admin", resource: `project/${project!.id}` });
    await authz.grantRole({ accountId: orgMember.accountId, role: "org.member", resource: `org/${org!.id}` });
    await authz.grantRole({ accountId: otherAdmin.accountId, role: "project.admin", resource: `project/${other!.id}` });
    return {
      server, orgId: org!.id, projectId: project!.id, otherProjectId: other!.id, root, projectAdmin, orgMember, otherAdmin,
      surveys: (token) => clientFor(SurveyService, server.url, token),
      answers: (token) => clientFor(AnswerService, server.url, token),
      person,
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** An open survey of the stage's project: two support roles and one need of each kind (the choice required). */
export async function openSurvey(stage: SurveyStage, status = SurveyStatus.OPEN) {
  const { survey } = await stage.surveys(stage.projectAdmin.token).createSurvey({
    projectId: stage.projectId, title: "What can you give?", description: "Our food bank", category: "food", status,
    questions: {
      supplyQuestions: [
        { name: "Driver", description: "Collect food", unit: "hours" },
        { name: "Donor", description: "Money", unit: "euros" },
      ],
      needQuestions: [
        { group: "Household", prompt: "Do you need food parcels?", kind: NeedKind.BOOLEAN },
        { group: "Household", prompt: "How many people live with you?", kind: NeedKind.NUMBER },
        { group: "Other", prompt: "Anything else?", kind: NeedKind.TEXT },
        { group: "Other", prompt: "Preferred day", kind: NeedKind.CHOICE, options: ["saturday", "sunday"], required: true },
      ],
    },
  });
  const [driver, donor] = survey!.supplyQuestions.map((q) => q.id);
  const [parcels, household, other, day] = survey!.needQuestions.map((q) => q.id);
  return { survey: survey!, driver: driver!, donor: donor!, parcels: parcels!, household: household!, other: other!, day: day! };
}
