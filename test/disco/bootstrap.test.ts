// `polity disco bootstrap FILE` in-process against a real server: a bad file is refused whole with every problem
// at its YAML path and line, and nothing is written; a dry run writes nothing; the example file (two orgs here)
// creates orgs, projects, listings, a survey and a campaign, a second run changes nothing, an edited file
// updates only what changed, and what was published is found by search.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CampaignService, CampaignStatus } from "../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { DiscoveryService, ResultKind } from "../../clients/src/gen/polity/mod/disco/v1/discovery_pb.js";
import { NeedKind, SurveyService, SurveyStatus } from "../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import type { PolityClient } from "../../clients/src/core.js";
import { EXIT } from "../../clients/src/cli/exit.js";
import { createPolityClient } from "../../clients/src/node.js";
import { inProcessPolity } from "../support/cli-in-process.js";
import { clientFor } from "../support/clients.js";
import { signUpVerified } from "../support/people.js";
import type { Host } from "../../sys/core/host.js";
import { loadTestPlaces } from "../support/places.js";
import { repoRoot, startInProcessServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "bootstrap-admin@example.org", password: "a long admin password" };
const home = mkdtempSync(join(tmpdir(), "polity-bootstrap-"));
const example = readFileSync(join(repoRoot, "clients", "examples", "disco-bootstrap.yaml"), "utf8");
// The example and a second org in the same file.
const twoOrgs = `${example}
  - slug: river-cleanup
    name: River Cleanup
    listings:
      - title: River Cleanup Brussels
        summary: Saturday mornings on the canal.
        category: environment
        place: BE
`;

let server: TestServer & { host: Host };
let admin: PolityClient;
const { polity, ok } = inProcessPolity(home, () => server.url);

function file(name: string, text: string): string {
  const path = join(home, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  server = await startInProcessServer({ POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
  await loadTestPlaces(server, ["FR", "BE"]);
  admin = createPolityClient({ baseUrl: server.url });
  await admin.auth.login(ADMIN);
  await ok(["login", "--email", ADMIN.email, "--password-stdin"], `${ADMIN.password}\n`);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(home, { recursive: true, force: true });
});

const orgSlugs = async () => (await admin.orgs.listOrgs({ pageSize: 200 })).orgs.map((o) => o.slug);

describe("polity disco bootstrap", () => {
  it("refuses an invalid file whole, naming every problem by path and line, and writes nothing", async () => {
    const bad = file("bad.yaml", `orgs:
  - slug: bad-org
    name: Bad Org
    colour: red
    projects:
      - slug: p1
        name: P1
        surveys:
          - title: Helpers
            supply:
              - name: Hours
                unit: hours
        campaigns:
          - title: Act now
            survey: Helpers
            thresholds:
              - question: Hours
                people: 0
              - question: Euros
                total: 10
          - title: Act now
  - slug: Bad Slug
    name: ""
`);
    const run = await polity(["disco", "bootstrap", bad]);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("orgs[0].colour (line 4): unknown key");
    expect(run.stderr).toContain("orgs[0].projects[0].campaigns[0].thresholds[0].people (line 18): must be ≥ 1");
    expect(run.stderr).toMatch(/orgs\[1\]\.slug \(line 22\): must be lower-case/);
    expect(run.stderr).toMatch(/orgs\[1\]\.name \(line 23\): must not be empty/);
    expect(await orgSlugs()).not.toContain("bad-org");

    // Names that point nowhere or twice, once the shape is right.
    const dangling = file("dangling.yaml", readFileSync(bad, "utf8").replace("    colour: red\n", "").replace("people: 0", "people: 3").replace(/  - slug: Bad Slug\n    name: ""\n/, ""));
    const second = await polity(["disco", "bootstrap", dangling]);
    expect(second.code).toBe(EXIT.usage);
    expect(second.stderr).toContain(`orgs[0].projects[0].campaigns[0].thresholds[1].question (line 18): survey "Helpers" has no supply question named "Euros"`);
    expect(second.stderr).toContain("orgs[0].projects[0].campaigns[1].title (line 20): another campaign (orgs[0].projects[0].campaigns[0]) has the same title");

    const broken = await polity(["disco", "bootstrap", file("broken.yaml", "orgs: [\n  {slug: a")]);
    expect(broken.code).toBe(EXIT.usage);
    expect(broken.stderr).toMatch(/line 2: /);
    expect(await orgSlugs()).not.toContain("bad-org");
  });

  it("shows in a dry run what it would create, and creates nothing", async () => {
    const path = file("two-orgs.yaml", twoOrgs);
    const run = await polity(["disco", "bootstrap", path, "--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("would be created org repair-network");
    expect(run.stdout).toContain(`would be created campaign repair-network/paris-bikes "Open a second workshop"`);
    expect(run.stderr).toContain("dry run: 8 created, 0 updated, 0 unchanged");
    expect(await orgSlugs()).not.toContain("repair-network");
  });

  it("creates everything once; a second run changes nothing", async () => {
    const path = file("two-orgs.yaml", twoOrgs);
    const first = await ok(["disco", "bootstrap", path]);
    expect(first.split("\n").filter((l) => l.startsWith("created")).length).toBe(8);

    const { orgs } = await admin.orgs.listOrgs({ query: "repair-network" });
    const org = orgs.find((o) => o.slug === "repair-network")!;
    expect(org).toMatchObject({ displayName: "Repair Network", description: "Neighbourhood repair cafés." });
    const { projects } = await admin.orgs.listProjects({ orgId: org.id });
    expect(projects.map((p) => p.slug)).toEqual(["paris-bikes"]);
    const projectId = projects[0]!.id;
    const { listings } = await admin.disco.listListings({ orgId: org.id });
    expect(listings.map((l) => [l.title, l.projectId, l.placeId, l.countryId]).sort()).toEqual([
      ["Bike workshops in Paris", projectId, "gn:2988507", "FR"],
      ["Repair Network", "", "FR", "FR"],
    ]);
    const [survey] = (await createClient(SurveyService, admin.transport).listSurveys({ projectId })).surveys;
    expect(survey).toMatchObject({ title: "Bike helpers 2027", status: SurveyStatus.OPEN });
    expect(survey!.supplyQuestions.map((q) => [q.name, q.unit])).toEqual([["Mechanic hours", "hours"], ["Spare parts budget", "euros"]]);
    expect(survey!.needQuestions.map((q) => [q.prompt, q.kind, q.options])).toEqual([
      ["What needs fixing most often?", NeedKind.CHOICE, ["Brakes", "Gears", "Punctures"]],
      ["Would you come on Saturday mornings?", NeedKind.BOOLEAN, []],
    ]);
    const [campaign] = (await createClient(CampaignService, admin.transport).listCampaigns({ projectId })).campaigns;
    expect(campaign).toMatchObject({ title: "Open a second workshop", status: CampaignStatus.ACTIVE, surveyProjectId: survey!.id, placeId: "gn:2988507" });
    expect(campaign!.thresholds.map((t) => [t.supplyQuestionId, t.minAmountPerPerson, t.peopleRequired])).toEqual([[survey!.supplyQuestions[0]!.id, 4, 20]]);
    expect(campaign!.action).toMatchObject({ timeZone: "Europe/Paris" });

    const second = await polity(["disco", "bootstrap", path]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.split("\n").filter(Boolean).every((l) => l.startsWith("unchanged")), second.stdout).toBe(true);
    expect(second.stderr).toContain("0 created, 0 updated, 8 unchanged");

    const found = (await clientFor(DiscoveryService, server.url).search({ query: "workshop" })).results;
    expect(found.map((r) => [r.kind, r.title]).sort()).toEqual([[ResultKind.PROJECT, "Bike workshops in Paris"], [ResultKind.CAMPAIGN, "Open a second workshop"]].sort());
  });

  it("updates only what an edited file changes, keeping question ids", async () => {
    const before = await ok(["disco", "bootstrap", file("again.yaml", twoOrgs), "--json"]);
    expect(JSON.parse(before).changes.every((c: { outcome: string }) => c.outcome === "unchanged")).toBe(true);
    const edited = twoOrgs
      .replace("name: Repair Network", "name: Repair Network Europe")
      .replace("summary: Bring your bike, we bring the tools.", "summary: Bring your bike; we bring tools and coffee.")
      .replace("                unit: euros", "                unit: euros\n              - name: Translation hours\n                unit: hours");
    const run = await ok(["disco", "bootstrap", file("edited.yaml", edited)]);
    const lines = run.split("\n").filter(Boolean);
    expect(lines.filter((l) => !l.startsWith("unchanged"))).toEqual([
      "updated          org repair-network (display_name)",
      `updated          survey repair-network/paris-bikes "Bike helpers 2027" (supply)`,
      `updated          listing repair-network/paris-bikes "Bike workshops in Paris" (summary)`,
    ]);
    const org = (await admin.orgs.listOrgs({ query: "repair-network" })).orgs[0]!;
    const projectId = (await admin.orgs.listProjects({ orgId: org.id })).projects[0]!.id;
    const [survey] = (await createClient(SurveyService, admin.transport).listSurveys({ projectId })).surveys;
    expect(survey!.supplyQuestions.map((q) => q.name)).toEqual(["Mechanic hours", "Spare parts budget", "Translation hours"]);
    const [campaign] = (await createClient(CampaignService, admin.transport).listCampaigns({ projectId })).campaigns;
    expect(campaign!.thresholds[0]!.supplyQuestionId).toBe(survey!.supplyQuestions[0]!.id);

    const settled = await ok(["disco", "bootstrap", file("edited.yaml", edited)]);
    expect(settled.split("\n").filter(Boolean).every((l) => l.startsWith("unchanged")), settled).toBe(true);
  });

  it("applies with the caller's own rights: another person cannot take over an org the file names", async () => {
    const person = { email: "bootstrap-outsider@example.org", password: "a long outsider password" };
    await signUpVerified(server.url, server.logs, person.email, person.password);
    const outsider = inProcessPolity(mkdtempSync(join(home, "outsider-")), () => server.url);
    await outsider.ok(["login", "--email", person.email, "--password-stdin"], `${person.password}\n`);
    const run = await outsider.polity(["disco", "bootstrap", file("outsider.yaml", twoOrgs.replace(/repair-network/g, "outsider-network"))]);
    expect(run.code).toBe(EXIT.server);
    // They may create orgs of their own, but river-cleanup is the admin's: not theirs to see or change.
    expect(run.stderr).toMatch(/river-cleanup is taken/);
    const river = (await admin.orgs.listOrgs({ query: "river-cleanup" })).orgs.find((o) => o.slug === "river-cleanup")!;
    expect((await admin.disco.listListings({ orgId: river.id })).listings.map((l) => l.title)).toEqual(["River Cleanup Brussels"]);
  });
});
