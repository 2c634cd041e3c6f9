// The statistics tests' world: one survey with supply and need questions of every kind, answered by 21 counted
// people across countries, cities, age ranges and days around a DST change (plus a withdrawn set, an unclaimed
// anonymous one and pledges to a deleted question, none of which may count), and a reference count of the same
// answers computed here, independently of the server's SQL.
import pg from "pg";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { clientFor } from "../support/clients.js";

export const PLACES = {
  paris: { placeId: "gn:2988507", countryId: "FR" },
  lyon: { placeId: "gn:2996944", countryId: "FR" },
  berlin: { placeId: "gn:2950159", countryId: "DE" },
  brussels: { placeId: "gn:2800866", countryId: "BE" },
} as const;

export const SECRET_TEXT = "my neighbour Jo at 12 Rue Secrète";

export interface StageAnswer {
  accountId: string | null;
  placeId: string | null;
  countryId: string | null;
  ageRange: string | null;
  submittedAt: Date;
  withdrawn: boolean;
  cook?: number;
  teach?: number;
  retired?: number;
  childcare?: boolean;
  transport?: string;
  kids?: number;
  note?: string;
}

export interface StageSurvey {
  id: string;
  cookId: string;
  teachId: string;
  retiredId: string;
  childcareId: string;
  transportId: string;
  kidsId: string;
  noteId: string;
  /** The choice question's options, in order. */
  transportOptions?: string[];
}

const TIMES = [
  "2026-02-28T23:30:00Z", // Paris: 1 March, UTC: 28 February
  "2026-03-10T12:00:00Z",
  "2026-03-28T23:30:00Z", // Paris: 29 March, the day clocks go forward
  "2026-03-29T09:00:00Z",
  "2026-04-02T08:00:00Z",
];
const AGES = ["25-34", "35-44", "18-24", "45-54", "65plus", "25-34", "55-64"];

/** 21 counted people: Paris 8, Lyon 4, Berlin 6, Brussels 2, one with no place; and three that must not count. */
export function stageAnswers(): StageAnswer[] {
  const where = [
    ...Array(8).fill(PLACES.paris), ...Array(4).fill(PLACES.lyon), ...Array(6).fill(PLACES.berlin), ...Array(2).fill(PLACES.brussels),
    { placeId: null, countryId: null },
  ] as Array<{ placeId: string | null; countryId: string | null }>;
  const answers = where.map((place, i): StageAnswer => ({
    accountId: crypto.randomUUID(),
    ...place,
    ageRange: i === 20 ? null : AGES[i % AGES.length]!,
    submittedAt: new Date(TIMES[i % TIMES.length]!),
    withdrawn: false,
    cook: i % 3 === 0 ? 0 : (i % 4) + 1.5,
    teach: i % 5 === 0 ? 2 : undefined,
    retired: 7,
    // France: 3 yes of 12 (a small cell); Berlin: 5 yes, 1 no.
    childcare: place.countryId === "FR" ? i < 3 : place.countryId === "DE" ? i !== 12 : i % 2 === 0,
    transport: i % 7 === 3 ? undefined : ["bike", "car", "bus"][i % 3]!,
    kids: i % 4 === 1 ? undefined : i % 4,
    note: i % 2 ? `${SECRET_TEXT} (${i})` : undefined,
  }));
  const uncounted = (over: Partial<StageAnswer>): StageAnswer => ({ ...answers[0]!, accountId: crypto.randomUUID(), cook: 1000, childcare: true, ...over });
  return [...answers, uncounted({ withdrawn: true }), uncounted({ accountId: null })];
}

export async function insertStage(databaseUrl: string, ids: { orgId: string; projectId: string; createdBy: string }, answers: StageAnswer[]): Promise<StageSurvey> {
  const survey: StageSurvey = {
    id: crypto.randomUUID(), cookId: crypto.randomUUID(), teachId: crypto.randomUUID(), retiredId: crypto.randomUUID(),
    childcareId: crypto.randomUUID(), transportId: crypto.randomUUID(), kidsId: crypto.randomUUID(), noteId: crypto.randomUUID(),
  };
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const now = new Date();
    await db.query(
      `insert into mod.disco_survey_projects (id, org_id, project_id, title, description, category, status, created_by, created_at, updated_at)
       values ($1, $2, $3, 'Winter help', '', '', 'open', $4, $5, $5)`,
      [survey.id, ids.orgId, ids.projectId, ids.createdBy, now],
    );
    const supply = `insert into mod.disco_supply_questions (id, survey_project_id, position, name, description, unit, deleted_at) values ($1, $2, $3, $4, '', $5, $6)`;
    await db.query(supply, [survey.cookId, survey.id, 1, "Cook meals", "meals", null]);
    await db.query(supply, [survey.teachId, survey.id, 2, "=HYPERLINK(\"http://x\")", "hours", null]);
    await db.query(supply, [survey.retiredId, survey.id, 3, "Retired role", "hours", now]);
    const need = `insert into mod.disco_need_questions (id, survey_project_id, position, group_name, prompt, kind, options, required, deleted_at)
                  values ($1, $2, $3, 'Family', $4, $5, $6, false, null)`;
    await db.query(need, [survey.childcareId, survey.id, 1, "Do you need childcare?", "boolean", []]);
    await db.query(need, [survey.transportId, survey.id, 2, "How do you get around?", "choice", ["bike", "car", "bus"]]);
    await db.query(need, [survey.kidsId, survey.id, 3, "How many children?", "number", []]);
    await db.query(need, [survey.noteId, survey.id, 4, "Anything else?", "text", []]);
    for (const a of answers) {
      const setId = crypto.randomUUID();
      await db.query(
        `insert into mod.disco_answer_sets (id, survey_project_id, org_id, project_id, account_id, place_id, country_id, age_range, submitted_at, updated_at, withdrawn_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)`,
        [setId, survey.id, ids.orgId, ids.projectId, a.accountId, a.placeId, a.countryId, a.ageRange, a.submittedAt, a.withdrawn ? now : null],
      );
      const pledge = `insert into mod.disco_pledges (answer_set_id, supply_question_id, amount) values ($1, $2, $3)`;
      if (a.cook !== undefined) await db.query(pledge, [setId, survey.cookId, a.cook]);
      if (a.teach !== undefined) await db.query(pledge, [setId, survey.teachId, a.teach]);
      if (a.retired !== undefined) await db.query(pledge, [setId, survey.retiredId, a.retired]);
      const answer = `insert into mod.disco_need_answers (answer_set_id, need_question_id, bool_value, text_value, number_value, choice_value) values ($1, $2, $3, $4, $5, $6)`;
      if (a.childcare !== undefined) await db.query(answer, [setId, survey.childcareId, a.childcare, null, null, null]);
      if (a.transport !== undefined) await db.query(answer, [setId, survey.transportId, null, null, null, a.transport]);
      if (a.kids !== undefined) await db.query(answer, [setId, survey.kidsId, null, null, a.kids, null]);
      if (a.note !== undefined) await db.query(answer, [setId, survey.noteId, null, a.note, null, null]);
    }
  } finally {
    await db.end();
  }
  return survey;
}

/** An org `slug` with the projects "winter" (the survey's) and "summer", made by a platform admin. */
export async function createStageOrg(url: string, rootToken: string, slug: string): Promise<{ orgId: string; projectId: string; otherProjectId: string }> {
  const orgs = clientFor(OrgProjectService, url, rootToken);
  const { org } = await orgs.createOrg({ slug, displayName: "Stats Coop" });
  const { project } = await orgs.createProject({ orgId: org!.id, slug: "winter", displayName: "Winter help" });
  const { project: other } = await orgs.createProject({ orgId: org!.id, slug: "summer", displayName: "Summer help" });
  return { orgId: org!.id, projectId: project!.id, otherProjectId: other!.id };
}
