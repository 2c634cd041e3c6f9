// Every error leaves as a ConnectError with the right code and a google.rpc.ErrorInfo carrying a stable
// machine reason; internal errors never leak their message or stack.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema, RetryInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { DurationSchema } from "@bufbuild/protobuf/wkt";

export const ERROR_DOMAIN = "polity.dev";

export function apiError(code: Code, reason: string, message: string, metadata: Record<string, string> = {}): ConnectError {
  const info = create(ErrorInfoSchema, { reason, domain: ERROR_DOMAIN, metadata });
  return new ConnectError(message, code, undefined, [{ desc: ErrorInfoSchema, value: info }]);
}

export const notFound = (what: string, id: string) => apiError(Code.NotFound, "NOT_FOUND", `${what} ${id} not found`, { resource: what, id });
export const alreadyExists = (what: string, key: string) => apiError(Code.AlreadyExists, "ALREADY_EXISTS", `${what} ${key} already exists`, { resource: what, key });
export const failedPrecondition = (reason: string, message: string) => apiError(Code.FailedPrecondition, reason, message);
export const invalidArgument = (field: string, message: string, reason = "INVALID_ARGUMENT") =>
  apiError(Code.InvalidArgument, reason, `${field}: ${message}`, { field });
export const unauthenticated = (reason: string, message: string) => apiError(Code.Unauthenticated, reason, message);
export const permissionDenied = (reason: string, message: string, metadata: Record<string, string> = {}) =>
  apiError(Code.PermissionDenied, reason, message, metadata);
export const aborted = (reason: string, message: string) => apiError(Code.Aborted, reason, message);

/** ResourceExhausted with a RetryInfo detail, so clients know when to try again. */
export function resourceExhausted(reason: string, message: string, retryAfterMs: number): ConnectError {
  const info = create(ErrorInfoSchema, { reason, domain: ERROR_DOMAIN, metadata: { retry_after_ms: String(retryAfterMs) } });
  const seconds = Math.ceil(retryAfterMs / 1000);
  const retry = create(RetryInfoSchema, { retryDelay: create(DurationSchema, { seconds: BigInt(seconds) }) });
  return new ConnectError(message, Code.ResourceExhausted, undefined, [
    { desc: ErrorInfoSchema, value: info },
    { desc: RetryInfoSchema, value: retry },
  ]);
}

/** The machine reason of an error raised by apiError, if any. */
export function reasonOf(error: unknown): string | undefined {
  if (!(error instanceof ConnectError)) return undefined;
  return error.findDetails(ErrorInfoSchema)[0]?.reason;
}
