// Input rules live in the proto as buf.validate annotations; this is the one place that enforces them, so a
// handler never sees an invalid message. The error names every offending field (InvalidArgument +
// google.rpc.BadRequest). Its reason is VALIDATION_FAILED, unless the first violated rule is a custom (CEL) rule
// whose id is a machine reason (UPPER_SNAKE_CASE, e.g. INVALID_PAGE_TOKEN): then the rule names its own reason,
// so a value the contract refuses and one the handler refuses answer alike. A message the rules accept is then
// refused if any string in it holds a NUL character (reason NUL_CHARACTER, field named; see nul-characters.ts).
import { create, type DescMessage, type Message } from "@bufbuild/protobuf";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { createValidator } from "@bufbuild/protovalidate";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { ERROR_DOMAIN } from "./errors.js";
import { firstNulField } from "./nul-characters.js";

export type MessageValidator = (schema: DescMessage, message: Message) => void;

const MACHINE_REASON = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/** The ErrorInfo reason for a violated rule: its id when that is a machine reason, else VALIDATION_FAILED. */
export function reasonForRule(ruleId: string | undefined): string {
  return ruleId && MACHINE_REASON.test(ruleId) ? ruleId : "VALIDATION_FAILED";
}

export function createMessageValidator(): MessageValidator {
  const validator = createValidator();
  return (schema, message) => {
    const result = validator.validate(schema, message as never);
    if (result.kind === "valid") return refuseNul(schema, message);
    if (result.kind === "error") {
      // A rule that cannot be evaluated is our bug, not the caller's.
      throw new ConnectError(`validation rules of ${schema.typeName} failed to evaluate`, Code.Internal);
    }
    const violations = result.violations.map((v) => ({ field: pathToString(v.field), description: v.message, reason: v.ruleId }));
    const first = violations[0];
    const message_ = violations.map((v) => `${v.field}: ${v.description}`).join("; ");
    throw new ConnectError(`invalid ${schema.name}: ${message_}`, Code.InvalidArgument, undefined, [
      { desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason: reasonForRule(first?.reason), domain: ERROR_DOMAIN, metadata: { field: first?.field ?? "" } }) },
      { desc: BadRequestSchema, value: create(BadRequestSchema, { fieldViolations: violations }) },
    ]);
  };
}

function refuseNul(schema: DescMessage, message: Message): void {
  const field = firstNulField(schema, message);
  if (field === undefined) return;
  const description = "must not contain a NUL character (U+0000)";
  throw new ConnectError(`invalid ${schema.name}: ${field}: ${description}`, Code.InvalidArgument, undefined, [
    { desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason: "NUL_CHARACTER", domain: ERROR_DOMAIN, metadata: { field } }) },
    { desc: BadRequestSchema, value: create(BadRequestSchema, { fieldViolations: [{ field, description, reason: "NUL_CHARACTER" }] }) },
  ]);
}

/**
 * connect-node reports a streamed request it cannot decode as Internal ("parse binary: …"); it is the caller's
 * bad input, so it leaves as InvalidArgument (as connect-go and our unary paths answer).
 */
function asMalformed(error: unknown): unknown {
  if (error instanceof ConnectError && error.code === Code.Internal && /^parse (binary|json)/.test(error.rawMessage)) return malformedMessage(error.rawMessage);
  return error;
}

/** A request body that does not decode ("parse binary: …") is the caller's bad input: InvalidArgument. */
export function malformedMessage(cause: string): ConnectError {
  return new ConnectError(`malformed request message: ${cause}`, Code.InvalidArgument, undefined, [
    { desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason: "MALFORMED_MESSAGE", domain: ERROR_DOMAIN }) },
  ]);
}

/** Validates unary and server-streaming requests; streamed client messages are validated one by one. */
export function createValidationInterceptor(validate: MessageValidator): Interceptor {
  return (next) => async (req) => {
    if (!req.stream) {
      validate(req.method.input, req.message);
      return next(req);
    }
    const input = req.message;
    async function* checked() {
      try {
        for await (const message of input) {
          validate(req.method.input, message);
          yield message;
        }
      } catch (error) {
        throw asMalformed(error);
      }
    }
    return next({ ...req, message: checked() } as typeof req);
  };
}
