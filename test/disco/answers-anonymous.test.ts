// An anonymous questionnaire becoming an account's answers after registration: answered without an account,
// stored but not counted; the person registers through AuthService, verifies, signs in and claims with the token
// (once); then their own answers show it and the admins' list shows it under the account, counted. The
// questionnaire's email is seen by the project's admins only. Anonymous answers are metered per address.
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { ANONYMOUS_ANSWERS_PER_HOUR } from "../../mod/disco/surveys/anonymous-limit.js";
import { clientFor } from "../support/clients.js";
import { reasonOf, rejection } from "../support/failures.js";
import { verificationTokenFor } from "../support/people.js";
import { openSurvey, startSurveyStage, type SurveyStage } from "./surveys-stage.js";

const choice = (needQuestionId: string, value: string) => ({ needQuestionId, value: { case: "choiceValue" as const, value } });

describe.each(["pglite", "postgres"] as const)("anonymous answers on %s", (backend) => {
  let stage: SurveyStage;
  let submitted = 0;
  beforeAll(async () => {
    stage = await startSurveyStage(backend, `anon_answers_${backend}`);
  }, 120_000);
  afterAll(async () => {
    await stage?.server.stop();
  });

  async function answerAnonymously(surveyId: string, email: string, answers: Record<string, unknown>) {
    submitted++;
    return stage.answers().submitAnonymousAnswers({ surveyId, answers, questionnaire: { email, displayName: "Newcomer", consentToContact: true } });
  }

  it("becomes the account's answers after registration, claimed once", async () => {
    const s = await openSurvey(stage);
    const email = `newcomer-${backend}@example.org`;
    const { answerSetId, claimToken } = await answerAnonymously(s.survey.id, email, { pledges: [{ supplyQuestionId: s.driver, amount: 6 }], needs: [choice(s.day, "saturday")] });
    expect(claimToken).toMatch(/^pdc_[A-Za-z0-9_-]{43}$/);

    const admin = stage.answers(stage.projectAdmin.token);
    const before = (await admin.listAnswers({ projectId: stage.projectId, surveyId: s.survey.id })).answerSets;
    expect(before.map((a) => [a.id, a.accountId, a.counted, a.questionnaire?.email, a.questionnaire?.claimed])).toEqual([[answerSetId, "", false, email, false]]);
    expect((await admin.listAnswers({ projectId: stage.projectId, surveyId: s.survey.id, countedOnly: true })).answerSets).toEqual([]);

    // Register, verify and sign in the way a person does.
    const auth = clientFor(AuthService, stage.server.url);
    const password = "a long enough password";
    const { accountId } = await auth.register({ email, password, displayName: "Newcomer" });
    const unverified = (await auth.login({ email, password })).tokens!.accessToken;
    expect((await rejection(stage.answers(unverified).claimAnswers({ claimToken }))).code).toBe(Code.PermissionDenied);
    await auth.verifyEmail({ token: await verificationTokenFor(stage.server.logs, email) });
    const token = (await auth.login({ email, password })).tokens!.accessToken;

    const claimed = (await stage.answers(token).claimAnswers({ claimToken })).answerSet!;
    expect([claimed.id, claimed.accountId, claimed.counted]).toEqual([answerSetId, accountId, true]);
    // The person's own view never carries the questionnaire.
    expect(claimed.questionnaire).toBeUndefined();
    const mine = (await stage.answers(token).getMyAnswers({ surveyId: s.survey.id })).answerSet!;
    expect(mine.answers!.pledges.map((p) => [p.supplyQuestionId, p.amount])).toEqual([[s.driver, 6]]);
    expect(mine.questionnaire).toBeUndefined();

    const after = (await admin.listAnswers({ projectId: stage.projectId, surveyId: s.survey.id, countedOnly: true })).answerSets;
    expect(after.map((a) => [a.id, a.accountId, a.questionnaire?.claimed])).toEqual([[answerSetId, accountId, true]]);

    // The token works once, for anyone.
    const again = await rejection(stage.answers(token).claimAnswers({ claimToken }));
    expect([again.code, reasonOf(again)]).toEqual([Code.FailedPrecondition, "ALREADY_CLAIMED"]);
    const stranger = await stage.person("stranger");
    expect(reasonOf(await rejection(stage.answers(stranger.token).claimAnswers({ claimToken })))).toBe("ALREADY_CLAIMED");
    const unknown = await rejection(stage.answers(token).claimAnswers({ claimToken: `pdc_${"A".repeat(43)}` }));
    expect([unknown.code, reasonOf(unknown)]).toEqual([Code.NotFound, "CLAIM_TOKEN_UNKNOWN"]);
    expect((await rejection(stage.answers().claimAnswers({ claimToken }))).code).toBe(Code.Unauthenticated);
  });

  it("a person who already answered claims only with replace, which keeps the claimed answers", async () => {
    const s = await openSurvey(stage);
    const fay = await stage.person("fay");
    const own = (await stage.answers(fay.token).submitAnswers({ surveyId: s.survey.id, answers: { pledges: [{ supplyQuestionId: s.donor, amount: 10 }], needs: [choice(s.day, "sunday")] } })).answerSet!;
    const { answerSetId, claimToken } = await answerAnonymously(s.survey.id, fay.email, { pledges: [{ supplyQuestionId: s.driver, amount: 2 }], needs: [choice(s.day, "saturday")] });

    const refused = await rejection(stage.answers(fay.token).claimAnswers({ claimToken }));
    expect([refused.code, reasonOf(refused)]).toEqual([Code.FailedPrecondition, "ALREADY_ANSWERED"]);
    const replaced = (await stage.answers(fay.token).claimAnswers({ claimToken, replace: true })).answerSet!;
    expect(replaced.id).toBe(answerSetId);
    const mine = (await stage.answers(fay.token).getMyAnswers({ surveyId: s.survey.id })).answerSet!;
    expect(mine.answers!.pledges.map((p) => p.supplyQuestionId)).toEqual([s.driver]);
    const listed = (await stage.answers(stage.projectAdmin.token).listAnswers({ projectId: stage.projectId, surveyId: s.survey.id })).answerSets;
    expect(listed.map((a) => a.id)).toEqual([answerSetId]);
    expect(listed.map((a) => a.id)).not.toContain(own.id);
  });

  it("a questionnaire is checked like any answer, and its email must be one", async () => {
    const s = await openSurvey(stage);
    const email = await rejection(stage.answers().submitAnonymousAnswers({ surveyId: s.survey.id, answers: { needs: [choice(s.day, "sunday")] }, questionnaire: { email: "not an email", displayName: "X" } }));
    expect(email.code).toBe(Code.InvalidArgument);
    const missing = await rejection(stage.answers().submitAnonymousAnswers({ surveyId: s.survey.id, answers: { needs: [choice(s.day, "sunday")] } }));
    expect(missing.code).toBe(Code.InvalidArgument);
    const required = await rejection(answerAnonymously(s.survey.id, "x@example.org", {}));
    expect(reasonOf(required)).toBe("NEED_REQUIRED");
  });

  it(`an address may leave ${ANONYMOUS_ANSWERS_PER_HOUR} anonymous answer sets an hour`, async () => {
    const s = await openSurvey(stage);
    while (submitted < ANONYMOUS_ANSWERS_PER_HOUR) await answerAnonymously(s.survey.id, `flood-${submitted}@example.org`, { needs: [choice(s.day, "sunday")] });
    const over = await rejection(answerAnonymously(s.survey.id, "one-more@example.org", { needs: [choice(s.day, "sunday")] }));
    expect([over.code, reasonOf(over)]).toEqual([Code.ResourceExhausted, "ANONYMOUS_ANSWERS_THROTTLED"]);
    // Signed-in answers are not metered by it.
    const gus = await stage.person("gus");
    await stage.answers(gus.token).submitAnswers({ surveyId: s.survey.id, answers: { needs: [choice(s.day, "sunday")] } });
  });
});
