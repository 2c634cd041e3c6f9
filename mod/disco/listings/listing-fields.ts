// What a listing says about where it stands, checked against sys before it is stored: the project must be one of
// the org's own (the org id in the request is never enough), the place must exist in timespace, and its country
// is stored beside it so searches by country need no call to sys.
import { Code } from "@connectrpc/connect";
import { apiError, notFound } from "../../../sys/core/errors.js";
import type { DiscoDeps } from "../deps.js";

export interface ListingPlacement {
  projectId: string | null;
  category: string | null;
  placeId: string | null;
  countryId: string | null;
}

interface PlacementRequest {
  orgId: string;
  projectId: string;
  category: string;
  placeId: string;
}

type SysLookups = Pick<DiscoDeps, "directory" | "timespace">;

export async function placementOf(deps: SysLookups, req: PlacementRequest, bearer: string | undefined): Promise<ListingPlacement> {
  const [projectId, place] = await Promise.all([
    req.projectId ? projectOfOrg(deps, req.orgId, req.projectId, bearer) : null,
    req.placeId ? knownPlace(deps, req.placeId) : null,
  ]);
  return { projectId, category: req.category || null, placeId: place?.id ?? null, countryId: place?.countryId ?? null };
}

async function projectOfOrg(deps: SysLookups, orgId: string, projectId: string, bearer: string | undefined): Promise<string> {
  const project = await deps.directory.getProject(projectId, bearer);
  // Another org's project is as unknown here as one that does not exist.
  if (!project || project.orgId !== orgId) throw notFound("project", projectId);
  return project.id;
}

/** A place sys knows, under the id sys gives it (the caller's spelling of a country code may differ in case). */
export async function knownPlace(deps: Pick<DiscoDeps, "timespace">, placeId: string): Promise<{ id: string; countryId: string }> {
  const [place] = await deps.timespace().getPlaces([placeId], "en");
  if (!place) throw apiError(Code.InvalidArgument, "UNKNOWN_PLACE", `place_id: no place "${placeId}" is known`, { field: "place_id" });
  return { id: place.id, countryId: place.countryId };
}
