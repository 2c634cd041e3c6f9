// Authorization-matrix cases for the discovery area (to be merged into CASES of matrix-cases.ts). UpdateListing
// rewrites the org's fixture listing with the fields it already has, so no other cell sees a change; Search is
// public and names no org (test/disco/discovery.test.ts checks it never shows drafts, deleted campaigns or
// unlisted projects).
import type { Case, Cell } from "./matrix-cases.js";

export const DISCO_DISCOVERY_CASES: Record<string, Case> = {
  "DiscoService/UpdateListing": {
    variants: { default: (c: Cell) => ({ orgId: c.org.id, listingId: c.org.listingId, title: `Org ${c.org.key} listing`, summary: "Come and help" }) },
  },
  "DiscoveryService/Search": { orgless: ["default"], variants: { default: () => ({ query: "listing" }) } },
};
