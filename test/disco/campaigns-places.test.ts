// A campaign's place through the timespace port: a known place is stored with its country; an unknown one is
// refused with UNKNOWN_PLACE and nothing is stored.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { CampaignService } from "../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { clientFor } from "../support/clients.js";
import { loadTestPlaces } from "../support/places.js";
import { startSurveyStage, type SurveyStage } from "./surveys-stage.js";

let stage: SurveyStage;

beforeAll(async () => {
  stage = await startSurveyStage("pglite", "campaign_places");
  await loadTestPlaces(stage.server, ["FR"]);
}, 120_000);

afterAll(async () => {
  await stage?.server.stop();
});

it("stores a known place with its country and refuses an unknown one", async () => {
  const campaigns = clientFor(CampaignService, stage.server.url, stage.projectAdmin.token);
  const { campaign } = await campaigns.createCampaign({ projectId: stage.projectId, campaign: { title: "In France", placeId: "FR-IDF" } });
  expect(campaign).toMatchObject({ placeId: "FR-IDF", countryId: "FR" });
  const refused = await campaigns.createCampaign({ projectId: stage.projectId, campaign: { title: "Nowhere", placeId: "gn:1" } }).then(() => undefined, (e) => ConnectError.from(e));
  expect(refused?.code).toBe(Code.InvalidArgument);
  expect(refused?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UNKNOWN_PLACE");
});
