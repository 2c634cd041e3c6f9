// Helpers to read the machine-readable parts of errors raised by a Polity server: the gRPC code and the
// google.rpc.ErrorInfo reason that stays stable across releases (messages may change, reasons do not).
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema, type ErrorInfo } from "./gen/google/rpc/error_details_pb.js";

export { Code, ConnectError };

/** The google.rpc.ErrorInfo detail of an error, if the server attached one. */
export function errorInfo(err: unknown): ErrorInfo | undefined {
  if (!(err instanceof ConnectError)) return undefined;
  try {
    return err.findDetails(ErrorInfoSchema)[0];
  } catch {
    return undefined;
  }
}

/** The stable machine reason (ErrorInfo.reason), e.g. "TOKEN_EXPIRED"; undefined if absent. */
export function errorReason(err: unknown): string | undefined {
  const reason = errorInfo(err)?.reason;
  return reason ? reason : undefined;
}

/** The error's code; anything that is not a ConnectError counts as Unknown. */
export function errorCode(err: unknown): Code {
  return ConnectError.from(err).code;
}

/** The canonical gRPC name of a code, e.g. Code.NotFound → "NOT_FOUND". */
export function codeName(code: Code): string {
  const name = Code[code] as string | undefined;
  if (!name) return "UNKNOWN";
  if (code === Code.Canceled) return "CANCELLED";
  return name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}
