// Shared by sys/core's tests: a Health service whose request's `service` field picks the outcome, a stand-in
// guard and a validator, behind the real call pipeline, so each fast path can be compared with connect-node
// call by call.
import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { Health, type HealthCheckRequest, HealthCheckResponse_ServingStatus as Status, HealthCheckResponseSchema } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { principalOf } from "./authn/principal.js";
import type { Guard } from "./authz/guard.js";
import { invalidArgument, notFound, permissionDenied, unauthenticated } from "./errors.js";
import { service } from "./module.js";
import { createMessageValidator, createValidationConcern, type MessageValidator } from "./validation.js";
import type { Logger } from "pino";
import { createGuardConcern } from "./authz/guard-concern.js";
import { createCallLogConcern } from "./call-log.js";
import type { Metrics } from "./metrics.js";
import type { ServiceRegistration } from "./module.js";
import { applyConcerns } from "./pipeline/apply-concerns.js";
import { createConnectNodeHandler, type RpcHandlerOptions } from "./rpc-handler.js";

export function createHealthFixture(maxMessageBytes: number) {
  const aborts: unknown[] = [];
  const impl = service(Health, {
    async check(req: HealthCheckRequest, ctx: HandlerContext) {
      switch (req.service) {
        case "missing": throw notFound("service", "missing");
        case "boom": throw new Error("password=hunter2 in the SQL"); // must never reach the client
        case "whoami": return { status: principalOf(ctx)?.accountId === "acc-1" ? Status.SERVING : Status.NOT_SERVING };
        case "slow":
        case "stuck": // waits for its deadline; "stuck" then fails with the signal's reason, as a cancelled query would
          await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
          aborts.push(ctx.signal.reason);
          if (req.service === "stuck") throw ctx.signal.reason;
          return { status: Status.SERVING };
        case "headers":
          ctx.responseHeader.set("x-answer", "42");
          ctx.responseTrailer.set("x-checksum", "abc");
          return { status: Status.SERVING };
        case "large": // over 1 KiB (connect compresses it when the client accepts gzip) but under the limit
        case "big": { // over the limit
          const response = create(HealthCheckResponseSchema, { status: Status.SERVING });
          const size = req.service === "big" ? 2 * maxMessageBytes : 2048;
          response.$unknown = [{ no: 99, wireType: 2, data: new Uint8Array([0x80 | (size & 0x7f), size >> 7, ...new Uint8Array(size).fill(7)]) }];
          return response;
        }
        default: return { status: Status.SERVING };
      }
    },
    async *watch() { yield { status: Status.SERVING }; yield { status: Status.NOT_SERVING }; },
    async list() { return { statuses: {} }; },
  });
  // A stand-in for the real guard (tested in authz): "private" needs a good bearer token, "forbidden" is denied.
  const guard: Guard = async (_path, header, message) => {
    const principal = header === "Bearer good" ? { accountId: "acc-1", kind: "person" as const, sessionId: "" } : undefined;
    if (header && !principal) throw unauthenticated("INVALID_TOKEN", "access token is not valid");
    const name = (message as { service?: string })?.service;
    if (name === "private" && !principal) throw unauthenticated("MISSING_CREDENTIALS", "this call needs a bearer access token");
    if (name === "forbidden") throw permissionDenied("DENIED", "you may not", { permission: "health.check" });
    return principal;
  };
  const protovalidate = createMessageValidator();
  const validate: MessageValidator = (schema, message) => {
    protovalidate(schema, message);
    if ((message as HealthCheckRequest).service === "invalid") throw invalidArgument("service", "must not be invalid");
  };
  return { impl, guard, validate, aborts };
}

/**
 * The host's pipeline (call log, metrics, validation, guard) around `services`, as the fast paths' options,
 * and connect-node's handler over the same wrapped services.
 */
export function createPipelinedStack(input: { services: ServiceRegistration[]; guard: Guard; validate: MessageValidator; logger: Logger; metrics: Metrics; maxMessageBytes: number }) {
  const pipeline = [createCallLogConcern(input.logger), input.metrics.concern, createValidationConcern(input.validate), createGuardConcern(input.guard)];
  const options: Omit<RpcHandlerOptions, "fallback"> = {
    services: applyConcerns(input.services, pipeline),
    clientAddress: (req) => req.socket?.remoteAddress ?? "",
    maxMessageBytes: input.maxMessageBytes,
  };
  return { options, connect: createConnectNodeHandler(options) };
}
