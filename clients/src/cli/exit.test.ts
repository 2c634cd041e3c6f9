// The CLI's error lines and exit codes for a refused setup token: not "run polity login" (exit 4), which would
// not help, but what would.
import { Code, ConnectError } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../gen/google/rpc/error_details_pb.js";
import { describeError, EXIT } from "./exit.js";

const refused = (reason: string, message: string) =>
  new ConnectError(message, Code.Unauthenticated, undefined, [{ desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason, domain: "polity" }) }]);

describe("describeError", () => {
  it("tells a refused setup token from a missing sign-in", () => {
    expect(describeError(refused("INVALID_SETUP_TOKEN", "this setup token is not valid or was already used"))).toEqual({
      code: EXIT.server,
      text: "error: UNAUTHENTICATED (INVALID_SETUP_TOKEN): this setup token is not valid or was already used\nhint: use the setup token from polityd's log of its latest start, or sign in if setup was done\n",
    });
    expect(describeError(refused("SETUP_TOKEN_EXPIRED", "expired")).text).toContain("hint: restart polityd");
  });

  it("still sends an invalid access token to polity login", () => {
    expect(describeError(refused("INVALID_TOKEN", "access token is not valid"))).toEqual({
      code: EXIT.unauthenticated,
      text: "error: UNAUTHENTICATED (INVALID_TOKEN): access token is not valid\nhint: run `polity login`\n",
    });
  });
});
