// What a failed call failed with, for tests that assert on codes and reasons.
import { ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";

/** Resolves to the ConnectError a call failed with; fails the test if the call succeeded. */
export async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

/** The stable machine reason (google.rpc.ErrorInfo) of an error, if it carries one. */
export function reasonOf(error: unknown): string | undefined {
  return error instanceof ConnectError ? error.findDetails(ErrorInfoSchema)[0]?.reason : undefined;
}
