// The guard's per-principal rate limit: per account for tokens, per client address without one, never for the
// operational services, and off at 0.
import { Code, ConnectError } from "@connectrpc/connect";
import { generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../../clients/src/gen/google/rpc/error_details_pb.js";
import { Health } from "../../../clients/src/gen/grpc/health/v1/health_pb.js";
import { AuthService } from "../../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { createTokenVerifier, TOKEN_AUDIENCE, TOKEN_ISSUER, type TokenVerifier } from "../authn/token-verifier.js";
import type { AuthorizationPort } from "../ports/authorization-port.js";
import { createRateLimit } from "../rate-limit.js";
import { createGuard, type Guard } from "./guard.js";
import { readRules } from "./rules.js";
import { rejection } from "../../../test/support/failures.js";
import { AuthzService } from "../../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";

const WHO_AM_I = `/${AuthService.typeName}/WhoAmI`; // authenticated
const REGISTER = `/${AuthService.typeName}/Register`; // public
const HEALTH = `/${Health.typeName}/Check`; // exempt

let verifier: TokenVerifier;
let bearer: (accountId: string, claims?: Record<string, unknown>) => Promise<string>;
let checks = 0;
// A port that allows everything and counts questions: what is under test is the guard, not the engine.
const allowAll: AuthorizationPort = {
  async check() {
    checks++;
    return { allowed: true, reason: "granted" };
  },
  async checkBatch(questions) {
    return questions.map(() => ({ allowed: true, reason: "granted" }));
  },
  isAvailable: () => true,
};

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA");
  verifier = createTokenVerifier(async () => publicKey);
  bearer = async (accountId, claims = {}) =>
    `Bearer ${await new SignJWT({ knd: "person", sid: "s", ...claims }).setProtectedHeader({ alg: "EdDSA" }).setSubject(accountId).setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setIssuedAt().setExpirationTime("1h").sign(privateKey)}`;
});

const CHECK = `/${AuthzService.typeName}/Check`; // the mod tier's authorization questions
const CHECK_BATCH = `/${AuthzService.typeName}/CheckBatch`;

function guardWith(rateLimitPerMinute: number, anonymousRateLimitPerMinute: number, tierCheckRateLimitPerMinute = 0): Guard {
  const rules = readRules([AuthService, AuthzService, Health], (s) => s === Health);
  const rateLimit = createRateLimit({ rateLimitPerMinute, anonymousRateLimitPerMinute, tierCheckRateLimitPerMinute });
  return createGuard({ rules, verifier, authorization: allowAll, rateLimit, exempt: (s) => s === Health });
}


describe("guard rate limit", () => {
  it("limits each account on its own, with RATE_LIMITED and RetryInfo, before asking the engine", async () => {
    const guard = guardWith(3, 100);
    const [a, b] = [await bearer("account-a"), await bearer("account-b")];
    for (let i = 0; i < 3; i++) expect((await guard(WHO_AM_I, a, {}, "10.0.0.1"))?.accountId).toBe("account-a");
    const before = checks;
    const limited = await rejection(guard(WHO_AM_I, a, {}, "10.0.0.2"));
    expect(limited.code).toBe(Code.ResourceExhausted);
    expect(limited.findDetails(ErrorInfoSchema)[0]?.reason).toBe("RATE_LIMITED");
    const delay = limited.findDetails(RetryInfoSchema)[0]?.retryDelay;
    expect(Number(delay?.seconds)).toBeGreaterThan(0);
    expect(Number(delay?.seconds)).toBeLessThanOrEqual(60);
    expect(checks).toBe(before);
    // Another account from the same address is unaffected; so is an anonymous call.
    expect((await guard(WHO_AM_I, b, {}, "10.0.0.1"))?.accountId).toBe("account-b");
    expect(await guard(REGISTER, null, {}, "10.0.0.1")).toBeUndefined();
  });

  it("limits calls without a token per client address", async () => {
    const guard = guardWith(100, 2);
    await guard(REGISTER, null, {}, "10.0.0.1");
    await guard(REGISTER, null, {}, "10.0.0.1");
    const limited = await rejection(guard(REGISTER, null, {}, "10.0.0.1"));
    expect(limited.code).toBe(Code.ResourceExhausted);
    expect(limited.findDetails(ErrorInfoSchema)[0]?.reason).toBe("RATE_LIMITED");
    expect(await guard(REGISTER, null, {}, "10.0.0.9")).toBeUndefined();
    // A signed-in caller on that address counts against its account, not the address.
    expect((await guard(REGISTER, await bearer("account-c"), {}, "10.0.0.1"))?.accountId).toBe("account-c");
  });

  it("counts calls whose token does not verify against the address, so a garbage-bearer flood is limited", async () => {
    const guard = guardWith(100, 3);
    for (const garbage of ["Bearer not-a-jwt", "Bearer eyJhbGciOiJFZERTQSJ9.e30.AAAA", "Basic dXNlcjpwYXNz"]) {
      expect((await rejection(guard(WHO_AM_I, garbage, {}, "10.0.5.1"))).code).toBe(Code.Unauthenticated);
    }
    const limited = await rejection(guard(WHO_AM_I, "Bearer still-garbage", {}, "10.0.5.1"));
    expect([limited.code, limited.findDetails(ErrorInfoSchema)[0]?.reason]).toEqual([Code.ResourceExhausted, "RATE_LIMITED"]);
    // The address's anonymous budget is the one spent: a tokenless call from there is cut too, another address is not.
    expect((await rejection(guard(REGISTER, null, {}, "10.0.5.1"))).code).toBe(Code.ResourceExhausted);
    expect(await guard(REGISTER, null, {}, "10.0.5.2")).toBeUndefined();
  });

  it("counts an unverified account against its address as well as itself", async () => {
    const guard = guardWith(100, 3);
    const fresh = await Promise.all([1, 2, 3, 4].map((i) => bearer(`fresh-${i}`, { unv: true })));
    for (let i = 0; i < 3; i++) expect((await guard(WHO_AM_I, fresh[i]!, {}, "10.0.6.1"))?.unverified).toBe(true);
    // Three throwaway accounts used the address's three calls: a fourth is cut, a verified account is not.
    expect((await rejection(guard(WHO_AM_I, fresh[3]!, {}, "10.0.6.1"))).findDetails(ErrorInfoSchema)[0]?.reason).toBe("RATE_LIMITED");
    expect((await guard(WHO_AM_I, await bearer("verified"), {}, "10.0.6.1"))?.accountId).toBe("verified");
  });

  it("never limits health and reflection", async () => {
    const guard = guardWith(1, 1);
    const a = await bearer("account-a");
    for (let i = 0; i < 5; i++) {
      await guard(HEALTH, null, {}, "10.0.0.1");
      await guard(HEALTH, a, {}, "10.0.0.1");
    }
  });

  it("is off at 0", async () => {
    const guard = guardWith(0, 0);
    const a = await bearer("account-a");
    for (let i = 0; i < 50; i++) {
      await guard(WHO_AM_I, a, {}, "10.0.0.1");
      await guard(REGISTER, null, {}, "10.0.0.1");
    }
  });
  it("counts the mod tier's authorization questions per question and address in their own bucket, never against an account", async () => {
    const guard = guardWith(1, 1, 10);
    const question = { principalId: "", permission: "community.read", resource: "community/x" };
    const a = await bearer("account-c");
    // Neither the address's anonymous budget (1) nor the account's (1) applies: 3 + 3 + a batch of 4 = 10.
    for (let i = 0; i < 3; i++) await guard(CHECK, null, { question }, "10.0.0.9");
    for (let i = 0; i < 3; i++) await guard(CHECK, a, { question: { ...question, principalId: "account-c" } }, "10.0.0.9");
    await guard(CHECK_BATCH, null, { questions: [question, question, question, question] }, "10.0.0.9");
    for (const limited of [
      await rejection(guard(CHECK, null, { question }, "10.0.0.9")),
      await rejection(guard(CHECK, a, { question: { ...question, principalId: "account-c" } }, "10.0.0.9")),
      await rejection(guard(CHECK, "Bearer garbage", { question }, "10.0.0.9")),
    ]) {
      expect([limited.code, limited.findDetails(ErrorInfoSchema)[0]?.reason]).toEqual([Code.ResourceExhausted, "RATE_LIMITED"]);
      expect(Number(limited.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBeGreaterThan(0);
    }
    // A batch is counted by its questions: 11 questions do not fit another address's 10.
    const eleven = Array.from({ length: 11 }, () => question);
    expect((await rejection(guard(CHECK_BATCH, null, { questions: eleven }, "10.0.0.10"))).code).toBe(Code.ResourceExhausted);
    await guard(CHECK_BATCH, null, { questions: eleven.slice(1) }, "10.0.0.11");
    // The account and the address keep their own budgets for ordinary calls.
    expect((await guard(WHO_AM_I, a, {}, "10.0.0.9"))?.accountId).toBe("account-c");
    expect(await guard(REGISTER, null, {}, "10.0.0.9")).toBeUndefined();
  });
});
