// gRPC outcomes as the HTTP statuses a Metagov driver expects, with the stable reason alongside the message.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import { errorReason } from "../../../clients/src/errors.js";
import { HttpError, type RouteRequest, type RouteResponse } from "../../../sys/core/http/route.js";

const statusOfCode: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: 400,
  [Code.FailedPrecondition]: 400,
  [Code.OutOfRange]: 400,
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.ResourceExhausted]: 429,
  [Code.Unavailable]: 503,
  [Code.DeadlineExceeded]: 504,
};

export function httpStatusOf(code: Code): number {
  return statusOfCode[code] ?? 500;
}

/** An HttpError that keeps the gRPC reason it stands for. */
export class ReasonedHttpError extends HttpError {
  constructor(
    status: number,
    message: string,
    readonly reason: string | undefined,
  ) {
    super(status, message);
  }
}

/** A JSON error answer: `{error, reason?}`. */
export function errorResponse(status: number, error: string, reason?: string): RouteResponse {
  return { status, body: reason ? { error, reason } : { error } };
}

/** Wraps a handler: gRPC errors and HttpErrors become JSON answers; anything else is logged and answered 500. */
export function answering(logger: Logger, handler: (request: RouteRequest) => Promise<RouteResponse>) {
  return async (request: RouteRequest): Promise<RouteResponse> => {
    try {
      return await handler(request);
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error.status, error.message, error instanceof ReasonedHttpError ? error.reason : undefined);
      if (error instanceof ConnectError) {
        const status = httpStatusOf(error.code);
        if (status >= 500) logger.warn({ err: error }, "metagov api call failed");
        return errorResponse(status, error.rawMessage, errorReason(error));
      }
      logger.error({ err: error }, "metagov api handler failed");
      return errorResponse(500, "internal error");
    }
  };
}

/**
 * Metagov answers 400, not 404, when a request names a plugin or action that does not exist or is not enabled in
 * the community: the community resource was found, the request's content was wrong.
 */
export async function notFoundIsBadRequest<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ConnectError && error.code === Code.NotFound) throw new ReasonedHttpError(400, error.rawMessage, errorReason(error));
    throw error;
  }
}
