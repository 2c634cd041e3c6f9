import { describe, expect, it } from "vitest";
import { classifyResponse, delayBeforeNextAttempt, nextAttemptDelay, parseRetryAfter } from "./retry-schedule.js";

const almostOne = () => 0.999999;

describe("nextAttemptDelay", () => {
  it("has a ceiling that doubles from 5 s and stops at 1 h", () => {
    const ceilings = [1, 2, 3, 4, 10, 11, 12, 50].map((attempt) => Math.round(nextAttemptDelay(attempt, almostOne) / 1000));
    expect(ceilings).toEqual([5, 10, 20, 40, 2560, 3600, 3600, 3600]);
  });

  it("draws the wait uniformly below the ceiling (full jitter)", () => {
    expect(nextAttemptDelay(3, () => 0)).toBe(0);
    expect(nextAttemptDelay(3, () => 0.5)).toBe(10_000);
    const draws = Array.from({ length: 200 }, () => nextAttemptDelay(2));
    expect(Math.max(...draws)).toBeLessThan(10_000);
    expect(new Set(draws).size).toBeGreaterThan(100);
  });

  it("never waits less than the receiver's Retry-After", () => {
    expect(delayBeforeNextAttempt(1, 120_000, almostOne)).toBe(120_000);
    expect(delayBeforeNextAttempt(4, 1_000, () => 0.5)).toBe(20_000);
    expect(delayBeforeNextAttempt(4, undefined, () => 0.5)).toBe(20_000);
  });
});

describe("classifyResponse", () => {
  it("delivers on 2xx, retries on 408, 425, 429, 5xx and no response, gives up on other statuses", () => {
    for (const status of [200, 201, 202, 204, 299]) expect(classifyResponse(status).outcome, String(status)).toBe("delivered");
    for (const status of [408, 425, 429, 500, 502, 503, 504, undefined]) expect(classifyResponse(status).outcome, String(status)).toBe("retry");
    for (const status of [301, 302, 304, 400, 401, 403, 404, 410, 413, 422]) expect(classifyResponse(status).outcome, String(status)).toBe("give_up");
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = new Date("2026-11-30T12:00:00Z");
    expect(classifyResponse(503, new Headers({ "retry-after": "120" }), now)).toEqual({ outcome: "retry", retryAfterMs: 120_000 });
    expect(classifyResponse(429, new Headers({ "retry-after": "Mon, 30 Nov 2026 12:05:00 GMT" }), now)).toEqual({ outcome: "retry", retryAfterMs: 300_000 });
    expect(classifyResponse(503, new Headers({ "retry-after": "soon" }), now)).toEqual({ outcome: "retry" });
    expect(classifyResponse(410, new Headers({ "retry-after": "120" }), now)).toEqual({ outcome: "give_up" });
  });

  it("clamps Retry-After to between now and a day", () => {
    const now = new Date("2026-11-30T12:00:00Z");
    expect(parseRetryAfter("Sun, 29 Nov 2026 12:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("31536000", now)).toBe(24 * 3600 * 1000);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
