// The bootstrap file's shape. Things are named the way people name them, and matched by those names on every
// run: an org and a project by slug, a listing, survey project or campaign by title within its org or project,
// a supply question by name within its survey. Unknown keys are errors (a typo must not be silently ignored).
import { z } from "zod";

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
// sys's rule for org and project slugs.
const NAME_SLUG = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const PLACE = /^[A-Za-z0-9:-]{2,40}$/;

const slug = (max: number) => z.string().max(max, `must be at most ${max} characters`).regex(SLUG, "must be lower-case letters, digits and dashes, starting with a letter or digit");
const text = (min: number, max: number) => z.string().min(min, min === 1 ? "must not be empty" : `must be at least ${min} characters`).max(max, `must be at most ${max} characters`);
const httpsUrl = z.url({ error: "must be a URL" }).max(500, "must be at most 500 characters");
const nameSlug = z.string().min(2, "must be at least 2 characters").max(63, "must be at most 63 characters")
  .regex(NAME_SLUG, "must be lower-case letters, digits and dashes, not starting or ending with a dash");
const place = z.string().regex(PLACE, "must be a place id such as gn:2988507 (a city), FR-IDF (a subdivision) or FR (a country)");

export const listingSchema = z.strictObject({
  title: text(3, 120),
  summary: text(1, 2000),
  tags: z.array(slug(32)).max(10, "at most 10 tags").default([]),
  url: httpsUrl.optional(),
  category: slug(32).optional(),
  place: place.optional(),
});

const supplySchema = z.strictObject({
  name: text(1, 200),
  description: text(0, 2000).default(""),
  unit: text(1, 32),
});

const needSchema = z.strictObject({
  group: text(0, 100).default(""),
  prompt: text(1, 500),
  kind: z.enum(["boolean", "text", "number", "choice"], { error: "must be boolean, text, number or choice" }),
  options: z.array(text(1, 200)).max(50, "at most 50 options").default([]),
  required: z.boolean().default(false),
}).superRefine((need, ctx) => {
  if (need.kind === "choice" && need.options.length < 2) ctx.addIssue({ code: "custom", path: ["options"], message: "a choice needs at least 2 options" });
  if (need.kind !== "choice" && need.options.length > 0) ctx.addIssue({ code: "custom", path: ["options"], message: "only a choice has options" });
});

export const surveySchema = z.strictObject({
  title: text(3, 200),
  description: text(0, 5000).default(""),
  category: slug(32).optional(),
  status: z.enum(["draft", "open", "closed"], { error: "must be draft, open or closed" }).default("draft"),
  supply: z.array(supplySchema).default([]),
  needs: z.array(needSchema).default([]),
});

const thresholdSchema = z.strictObject({
  label: text(0, 200).default(""),
  // The name of a supply question of the campaign's survey.
  question: text(1, 200),
  min_amount: z.number({ error: "must be a number" }).min(0, "must be ≥ 0").default(0),
  people: z.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be ≥ 1").optional(),
  total: z.number({ error: "must be a number" }).gt(0, "must be > 0").optional(),
}).refine((t) => t.people !== undefined || t.total !== undefined, { message: "needs people or total (or both)" });

export const campaignSchema = z.strictObject({
  title: text(3, 200),
  goal: text(0, 10000).default(""),
  strategy: text(0, 20000).default(""),
  category: slug(32).optional(),
  place: place.optional(),
  status: z.enum(["draft", "active", "closed"], { error: "must be draft, active or closed" }).default("draft"),
  // The title of a survey of the same project, whose supply questions the thresholds count.
  survey: text(3, 200).optional(),
  action: z.strictObject({
    local_time: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, "must be a local time like 2027-05-01T10:00"),
    time_zone: text(1, 64),
  }).optional(),
  thresholds: z.array(thresholdSchema).max(10, "at most 10 thresholds").default([]),
  precedents: z.array(z.strictObject({
    title: text(1, 200), year: z.number().int("must be a whole number").min(-5000).max(2200), place: text(0, 200).default(""),
    summary: text(0, 2000).default(""), url: httpsUrl.optional(),
  })).max(20, "at most 20 precedents").default([]),
  media: z.array(z.strictObject({
    kind: z.enum(["video", "image", "article", "audio", "social", "other"], { error: "must be video, image, article, audio, social or other" }),
    url: httpsUrl, title: text(0, 200).default(""),
  })).max(20, "at most 20 media links").default([]),
});

export const projectSchema = z.strictObject({
  slug: nameSlug,
  name: text(1, 100),
  description: text(0, 2000).default(""),
  listings: z.array(listingSchema).default([]),
  surveys: z.array(surveySchema).default([]),
  campaigns: z.array(campaignSchema).default([]),
});

export const orgSchema = z.strictObject({
  slug: nameSlug,
  name: text(1, 100),
  description: text(0, 2000).default(""),
  listings: z.array(listingSchema).default([]),
  projects: z.array(projectSchema).default([]),
});

export const bootstrapSchema = z.strictObject({
  orgs: z.array(orgSchema).min(1, "name at least one org"),
});

export type BootstrapFile = z.infer<typeof bootstrapSchema>;
export type OrgSpec = z.infer<typeof orgSchema>;
export type ProjectSpec = z.infer<typeof projectSchema>;
export type ListingSpec = z.infer<typeof listingSchema>;
export type SurveySpec = z.infer<typeof surveySchema>;
export type CampaignSpec = z.infer<typeof campaignSchema>;
