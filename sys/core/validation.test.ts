// The validator's ErrorInfo reason: VALIDATION_FAILED for the standard rules, the rule's own id for a custom
// rule whose id is a machine reason (the page_token rule of every List request: INVALID_PAGE_TOKEN).
import { create } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { BadRequestSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { ListAccountsRequestSchema } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { ListMembersRequestSchema } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { reasonOf } from "./errors.js";
import { createMessageValidator, reasonForRule } from "./validation.js";

const validate = createMessageValidator();
const refusal = (run: () => void): ConnectError => {
  try {
    run();
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected a refusal");
};

describe("validation reasons", () => {
  it("answers an over-long page token with the page_token rule's own reason, naming the field", () => {
    const error = refusal(() => validate(ListAccountsRequestSchema, create(ListAccountsRequestSchema, { pageToken: "x".repeat(513) })));
    expect(reasonOf(error)).toBe("INVALID_PAGE_TOKEN");
    expect(error.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => [v.field, v.reason])).toEqual([["page_token", "INVALID_PAGE_TOKEN"]]);
    expect(() => validate(ListAccountsRequestSchema, create(ListAccountsRequestSchema, { pageToken: "x".repeat(512) }))).not.toThrow();
  });

  it("keeps VALIDATION_FAILED for the standard rules", () => {
    const error = refusal(() => validate(ListMembersRequestSchema, create(ListMembersRequestSchema, { communityId: "not a uuid" })));
    expect(reasonOf(error)).toBe("VALIDATION_FAILED");
  });

  it("takes only UPPER_SNAKE_CASE rule ids as reasons", () => {
    expect(["INVALID_PAGE_TOKEN", "X", "A1_B2"].map(reasonForRule)).toEqual(["INVALID_PAGE_TOKEN", "X", "A1_B2"]);
    expect(["string.max_len", "required", "Invalid_Token", "_X", "X__Y", "", undefined].map(reasonForRule)).toEqual(Array(7).fill("VALIDATION_FAILED"));
  });
});
