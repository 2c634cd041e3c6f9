// How the CLI prints errors: plain sentences and a next step for people, the code and reason with --json,
// and exit codes that tell a refused setup token from a missing sign-in.
import { Code, ConnectError } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../gen/google/rpc/error_details_pb.js";
import { describeError, EXIT, UsageError } from "./exit.js";
import { RefError } from "./resolve.js";

const refused = (reason: string, message: string, code = Code.Unauthenticated) =>
  new ConnectError(message, code, undefined, [{ desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason, domain: "polity" }) }]);

describe("describeError", () => {
  it("tells a refused setup token from a missing sign-in", () => {
    expect(describeError(refused("INVALID_SETUP_TOKEN", "this setup token is not valid or was already used"))).toEqual({
      code: EXIT.server,
      text: "error: This setup token is not valid or was already used.\nUse the setup token from polityd's log of its latest start, or sign in if setup was done.\n",
    });
    expect(describeError(refused("SETUP_TOKEN_EXPIRED", "expired")).text).toContain("Restart polityd");
  });

  it("still sends an invalid access token to polity login", () => {
    expect(describeError(refused("INVALID_TOKEN", "access token is not valid"))).toEqual({
      code: EXIT.unauthenticated,
      text: "error: You are not signed in, or your session has expired.\nRun `polity login`.\n",
    });
  });

  it("says what happened in words, without the code, and keeps code and reason for --json", () => {
    const err = refused("VALIDATION_FAILED", "invalid GetPollRequest: poll_id: must be a valid UUID", Code.InvalidArgument);
    const human = describeError(err);
    expect(human.code).toBe(EXIT.server);
    expect(human.text).toBe("error: The server refused a value: poll_id: must be a valid UUID.\nFix that value and try again; `--help` shows what each flag takes.\n");
    expect(human.text).not.toMatch(/INVALID_ARGUMENT|VALIDATION_FAILED/);
    const json = JSON.parse(describeError(err, { json: true }).text) as { error: Record<string, string> };
    expect(json.error).toMatchObject({ code: "INVALID_ARGUMENT", reason: "VALIDATION_FAILED", message: "invalid GetPollRequest: poll_id: must be a valid UUID" });
    expect(json.error.next).toMatch(/--help/);
  });

  it("gives a reason's specific next step, and a code's general one otherwise", () => {
    expect(describeError(refused("RESULTS_NOT_VISIBLE", "results of poll x are published when it closes", Code.FailedPrecondition)).text)
      .toBe("error: Results of poll x are published when it closes.\nVote first or wait for the close; `polity polls show POLL` says when results are visible.\n");
    const down = describeError(new ConnectError("connect ECONNREFUSED 127.0.0.1:9", Code.Unavailable));
    expect(down.code).toBe(EXIT.unreachable);
    expect(down.text).toMatch(/^error: The server could not be reached or did not answer in time \(connect ECONNREFUSED 127\.0\.0\.1:9\)\.\nCheck that polityd is running/);
  });

  it("says a local failure as it is, not as the server's", () => {
    expect(describeError(new Error("cannot read /x/defaults.json: EACCES"))).toEqual({
      code: EXIT.server,
      text: "error: Cannot read /x/defaults.json: EACCES.\nIf this looks like a bug in polity, report it with the command you ran.\n",
    });
  });

  it("prints usage errors as sentences, and ambiguity with its reason under --json", () => {
    expect(describeError(new UsageError("an email is required"))).toEqual({ code: EXIT.usage, text: "error: an email is required.\n" });
    const amb = describeError(new RefError("\"ab\" matches 2 polls", "AMBIGUOUS"), { json: true });
    expect(amb.code).toBe(EXIT.usage);
    expect(JSON.parse(amb.text)).toMatchObject({ error: { code: "USAGE", reason: "AMBIGUOUS" } });
  });
});
