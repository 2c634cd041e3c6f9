// An org's listings (its own and its projects'), matched by title within the org.
import type { PolityClient } from "../../core.js";
import { listAll } from "../resolve.js";
import { changedFields, type Reporter } from "./report.js";
import type { ListingSpec, OrgSpec } from "./schema.js";

export async function applyListings(disco: PolityClient["disco"], orgId: string | undefined, org: OrgSpec, projectIds: Map<string, string | undefined>, report: Reporter): Promise<void> {
  const current = orgId
    ? await listAll(async (pageToken) => {
      const res = await disco.listListings({ orgId, pageSize: 200, pageToken });
      return { items: res.listings, next: res.nextPageToken };
    })
    : [];
  const wanted: Array<{ spec: ListingSpec; project?: string }> = [
    ...org.listings.map((spec) => ({ spec })),
    ...org.projects.flatMap((p) => p.listings.map((spec) => ({ spec, project: p.slug }))),
  ];
  for (const { spec, project } of wanted) {
    const what = `listing ${project ? `${org.slug}/${project}` : org.slug} "${spec.title}"`;
    const existing = current.find((l) => l.title.toLowerCase() === spec.title.toLowerCase());
    const projectId = project ? projectIds.get(project) : "";
    // sys spells place ids its own way ("fr" is stored as "FR"): the same place is no change.
    const placeId = existing && spec.place && existing.placeId.toLowerCase() === spec.place.toLowerCase() ? existing.placeId : spec.place ?? "";
    const desired = { title: spec.title, summary: spec.summary, tags: spec.tags, url: spec.url ?? "", projectId: projectId ?? "", category: spec.category ?? "", placeId };
    if (!existing) {
      report.note("created", what);
      if (!report.dryRun && orgId && projectId !== undefined) await disco.createListing({ orgId, ...desired });
      continue;
    }
    const fields = changedFields(
      { title: existing.title, summary: existing.summary, tags: existing.tags, url: existing.url, projectId: existing.projectId, category: existing.category, placeId: existing.placeId },
      // A project not created yet (dry run) has no id to compare.
      projectId === undefined ? { ...desired, projectId: "(new project)" } : desired,
    );
    report.note(fields.length ? "updated" : "unchanged", what, fields);
    if (fields.length && !report.dryRun && orgId && projectId !== undefined) await disco.updateListing({ orgId, listingId: existing.id, ...desired });
  }
}
