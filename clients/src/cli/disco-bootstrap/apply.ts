// Applies a bootstrap file through the public API with the caller's own session: whatever the caller may not do
// is refused by the server exactly as it would be one call at a time. Each thing is looked up by its name and
// created, updated or left alone; in a dry run nothing is written and things under a not-yet-created parent
// are reported as to be created.
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import type { PolityClient } from "../../core.js";
import { listAll } from "../resolve.js";
import { applyCampaigns, type CampaignClient } from "./apply-campaigns.js";
import { applyListings } from "./apply-listings.js";
import { applySurveys, type SurveyClient } from "./apply-surveys.js";
import { changedFields, type Reporter } from "./report.js";
import type { BootstrapFile, OrgSpec, ProjectSpec } from "./schema.js";

export interface BootstrapClients {
  orgs: PolityClient["orgs"];
  disco: PolityClient["disco"];
  surveys: SurveyClient;
  campaigns: CampaignClient;
}

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

export async function applyBootstrap(clients: BootstrapClients, file: BootstrapFile, report: Reporter): Promise<void> {
  for (const org of file.orgs) {
    const orgId = await ensureOrg(clients, org, report);
    const projectIds = new Map<string, string | undefined>();
    for (const project of org.projects) {
      const projectId = await ensureProject(clients, orgId, org.slug, project, report);
      projectIds.set(project.slug, projectId);
      const label = `${org.slug}/${project.slug}`;
      const surveys = await applySurveys(clients.surveys, projectId, label, project.surveys, report);
      await applyCampaigns(clients.campaigns, projectId, label, project.campaigns, surveys, report);
    }
    await applyListings(clients.disco, orgId, org, projectIds, report);
  }
}

async function ensureOrg(clients: BootstrapClients, spec: OrgSpec, report: Reporter): Promise<string | undefined> {
  const found = await listAll(async (pageToken) => {
    const res = await clients.orgs.listOrgs({ query: spec.slug, pageSize: 200, pageToken });
    return { items: res.orgs, next: res.nextPageToken };
  });
  const current = found.find((o) => o.slug === spec.slug);
  const what = `org ${spec.slug}`;
  const desired = { displayName: spec.name, description: spec.description };
  if (!current) {
    report.note("created", what);
    if (report.dryRun) return undefined;
    return (await clients.orgs.createOrg({ slug: spec.slug, ...desired })).org!.id;
  }
  const fields = changedFields({ displayName: current.displayName, description: current.description }, desired);
  report.note(fields.length ? "updated" : "unchanged", what, fields.map(snake));
  if (fields.length && !report.dryRun) await clients.orgs.updateOrg({ org: { id: current.id, slug: current.slug, ...desired }, updateMask: mask(...fields.map(snake)), etag: current.etag });
  return current.id;
}

async function ensureProject(clients: BootstrapClients, orgId: string | undefined, orgSlug: string, spec: ProjectSpec, report: Reporter): Promise<string | undefined> {
  const what = `project ${orgSlug}/${spec.slug}`;
  const desired = { displayName: spec.name, description: spec.description };
  const found = orgId
    ? await listAll(async (pageToken) => {
      const res = await clients.orgs.listProjects({ orgId, query: spec.slug, pageSize: 200, pageToken });
      return { items: res.projects, next: res.nextPageToken };
    })
    : [];
  const current = found.find((p) => p.slug === spec.slug);
  if (!current) {
    report.note("created", what);
    if (report.dryRun || !orgId) return undefined;
    return (await clients.orgs.createProject({ orgId, slug: spec.slug, ...desired })).project!.id;
  }
  const fields = changedFields({ displayName: current.displayName, description: current.description }, desired);
  report.note(fields.length ? "updated" : "unchanged", what, fields.map(snake));
  if (fields.length && !report.dryRun) await clients.orgs.updateProject({ project: { id: current.id, orgId: current.orgId, slug: current.slug, ...desired }, updateMask: mask(...fields.map(snake)), etag: current.etag });
  return current.id;
}

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
