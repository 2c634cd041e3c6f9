// mod-disco's own table. Org and project ids are references into sys by value only: mod never reads sys tables.
// A listing is what makes an org (project_id null) or one of its projects visible to the public.
import { defineEntity, p } from "@mikro-orm/core";

export const Listing = defineEntity({
  name: "Listing",
  tableName: "listings",
  properties: {
    id: p.uuid().primary(),
    orgId: p.uuid().index(),
    projectId: p.uuid().nullable().index(),
    title: p.string().length(120),
    summary: p.text(),
    tags: p.array().$type<string[]>(),
    url: p.string().length(500),
    category: p.string().length(32).nullable().index(),
    // A timespace place id and its country, both as sys named them when the listing was written.
    placeId: p.string().length(40).nullable(),
    countryId: p.string().length(2).nullable(),
    createdBy: p.uuid(),
    createdAt: p.datetime().index(),
    updatedAt: p.datetime(),
  },
});
