// mod-disco's own table. Org ids are references into sys by value only: mod never reads sys tables.
import { defineEntity, p } from "@mikro-orm/core";

export const Listing = defineEntity({
  name: "Listing",
  tableName: "listings",
  properties: {
    id: p.uuid().primary(),
    orgId: p.uuid().index(),
    title: p.string().length(120),
    summary: p.text(),
    tags: p.array().$type<string[]>(),
    url: p.string().length(500),
    createdBy: p.uuid(),
    createdAt: p.datetime().index(),
  },
});
