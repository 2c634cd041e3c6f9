// A TimeError as the API reports it: bad input is INVALID_ARGUMENT, a local time the caller's disambiguation
// refuses is FAILED_PRECONDITION (the input is well formed; the zone's clock changes make it unusable).
import { Code } from "@connectrpc/connect";
import { apiError } from "../../core/errors.js";
import { isTimeError } from "./time-error.js";

const PRECONDITIONS = new Set(["SKIPPED_LOCAL_TIME", "AMBIGUOUS_LOCAL_TIME"]);

export function rpcTimeError(error: unknown): unknown {
  if (!isTimeError(error)) return error;
  return apiError(PRECONDITIONS.has(error.reason) ? Code.FailedPrecondition : Code.InvalidArgument, error.reason, error.message);
}

/** Runs a time-library call, turning its bad-input errors into API errors. */
export function withTimeErrors<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw rpcTimeError(error);
  }
}
