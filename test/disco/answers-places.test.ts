// An answer's place is a timespace place, resolved when the answers are saved: a city keeps its id and gains
// its country, a country is its own, and an id timespace does not know is INVALID_ARGUMENT, UNKNOWN_PLACE.
// With the real packaged places of France loaded.
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reasonOf, rejection } from "../support/failures.js";
import { loadTestPlaces } from "../support/places.js";
import { openSurvey, startSurveyStage, type SurveyStage } from "./surveys-stage.js";

const PARIS = "gn:2988507";
const choice = (needQuestionId: string, value: string) => ({ needQuestionId, value: { case: "choiceValue" as const, value } });

describe("answer places", () => {
  let stage: SurveyStage;
  beforeAll(async () => {
    stage = await startSurveyStage("pglite", "answer_places");
    await loadTestPlaces(stage.server, ["FR"]);
  }, 180_000);
  afterAll(async () => {
    await stage?.server.stop();
  });

  it("stores a city with its country, a country as its own, and refuses unknown places", async () => {
    const s = await openSurvey(stage);
    const [hugo, ines] = [await stage.person("hugo"), await stage.person("ines")];
    const inParis = (await stage.answers(hugo.token).submitAnswers({ surveyId: s.survey.id, answers: { needs: [choice(s.day, "sunday")], placeId: PARIS } })).answerSet!;
    expect([inParis.answers!.placeId, inParis.countryId]).toEqual([PARIS, "FR"]);
    const inFrance = (await stage.answers(ines.token).submitAnswers({ surveyId: s.survey.id, answers: { needs: [choice(s.day, "sunday")], placeId: "FR" } })).answerSet!;
    expect([inFrance.answers!.placeId, inFrance.countryId]).toEqual(["FR", "FR"]);

    for (const placeId of ["gn:1", "ZZ", "DE"]) {
      const unknown = await rejection(stage.answers(hugo.token).submitAnswers({ surveyId: s.survey.id, answers: { needs: [choice(s.day, "sunday")], placeId } }));
      expect([unknown.code, reasonOf(unknown)], placeId).toEqual([Code.InvalidArgument, "UNKNOWN_PLACE"]);
    }
    // The refused answer changed nothing.
    expect((await stage.answers(hugo.token).getMyAnswers({ surveyId: s.survey.id })).answerSet!.answers!.placeId).toBe(PARIS);
    const listed = (await stage.answers(stage.projectAdmin.token).listAnswers({ projectId: stage.projectId, surveyId: s.survey.id })).answerSets;
    expect(listed.map((a) => a.countryId)).toEqual(["FR", "FR"]);
  });
});
