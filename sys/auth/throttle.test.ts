import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { reasonOf } from "../core/errors.js";
import { createLoginThrottle } from "./throttle.js";

async function blocked(promise: Promise<void>): Promise<ConnectError | undefined> {
  return promise.then(() => undefined, (error: ConnectError) => error);
}

describe("login throttle", () => {
  it("blocks an account after its allowed failures, with retry info, until a success resets it", async () => {
    const throttle = createLoginThrottle({ loginFailuresPerAccount: 3, loginFailuresPerAddress: 100 });
    for (let i = 0; i < 3; i++) {
      expect(await blocked(throttle.check("Ada@example.org", "10.0.0.1"))).toBeUndefined();
      await throttle.recordFailure("ada@example.org", `10.0.0.${i}`);
    }
    const error = await blocked(throttle.check("ada@example.org", "10.0.0.9"));
    expect(error?.code).toBe(Code.ResourceExhausted);
    expect(reasonOf(error)).toBe("LOGIN_THROTTLED");
    const retry = error!.findDetails(RetryInfoSchema)[0];
    expect(Number(retry?.retryDelay?.seconds)).toBeGreaterThan(800);
    expect(await blocked(throttle.check("bob@example.org", "10.0.0.9"))).toBeUndefined();
    await throttle.recordSuccess("ada@example.org");
    expect(await blocked(throttle.check("ada@example.org", "10.0.0.9"))).toBeUndefined();
  });

  it("blocks an address that tries many accounts", async () => {
    const throttle = createLoginThrottle({ loginFailuresPerAccount: 100, loginFailuresPerAddress: 4 });
    for (let i = 0; i < 4; i++) await throttle.recordFailure(`user${i}@example.org`, "192.0.2.7");
    expect(reasonOf(await blocked(throttle.check("someone@example.org", "192.0.2.7")))).toBe("LOGIN_THROTTLED");
    expect(await blocked(throttle.check("someone@example.org", "192.0.2.8"))).toBeUndefined();
  });
});
