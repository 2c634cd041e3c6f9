// Deny by default: every RPC must declare its access rule in the proto, or the host refuses to start.
import { create } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { Health } from "../../../clients/src/gen/grpc/health/v1/health_pb.js";
import { AccountSchema, AccountService, UpdateAccountRequestSchema } from "../../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { AuthService } from "../../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { MissingRuleError, readRules } from "./rules.js";

describe("access rules from the proto", () => {
  it("refuses a service whose methods declare no rule, naming them", () => {
    expect(() => readRules([AuthService, Health])).toThrow(MissingRuleError);
    expect(() => readRules([Health])).toThrow(/\/grpc\.health\.v1\.Health\/Check/);
  });

  it("accepts services that are exempt by the host's choice (health, reflection)", () => {
    const rules = readRules([AuthService, Health], (service) => service === Health);
    expect(rules.get("/grpc.health.v1.Health/Check")?.rule.public).toBe(true);
    expect(rules.get("/polity.sys.auth.v1.AuthService/Login")?.rule.public).toBe(true);
    expect(rules.get("/polity.sys.auth.v1.AuthService/WhoAmI")?.rule.authenticated).toBe(true);
  });

  it("fills resource templates from nested request fields and names a missing one", () => {
    const update = readRules([AccountService]).get("/polity.sys.account.v1.AccountService/UpdateAccount")!;
    expect(update.rule.permission).toBe("sys.account.update");
    const id = "7c4b3c1e-93c5-4a57-9a4a-0e8d7e7f9b11";
    expect(update.resourceOf(create(UpdateAccountRequestSchema, { account: create(AccountSchema, { id }) }) as never)).toBe(`account/${id}`);
    const missing = (() => {
      try {
        update.resourceOf(create(UpdateAccountRequestSchema, {}) as never);
      } catch (error) {
        return error;
      }
    })();
    expect(missing).toBeInstanceOf(ConnectError);
    expect((missing as ConnectError).message).toContain("account.id");
  });
});
