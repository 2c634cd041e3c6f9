// Input rules live in the proto as buf.validate annotations; this is the one place that enforces them, so a
// handler never sees an invalid message. The error names every offending field (InvalidArgument +
// google.rpc.BadRequest). Its reason is VALIDATION_FAILED, unless the first violated rule is a custom (CEL) rule
// whose id is a machine reason (UPPER_SNAKE_CASE, e.g. INVALID_PAGE_TOKEN): then the rule names its own reason,
// so a value the contract refuses and one the handler refuses answer alike. A message the rules accept is then
// refused if any string in it holds a NUL character (reason NUL_CHARACTER, field named; see nul-characters.ts).
import { create, type DescMessage, type Message } from "@bufbuild/protobuf";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { createValidator } from "@bufbuild/protovalidate";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { ERROR_DOMAIN } from "./errors.js";
import { firstNulField } from "./nul-characters.js";
import { type Concern, takesStream } from "./pipeline/concern.js";
import { asWireError } from "./wire-errors.js";

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

/** Validates unary and server-streaming requests; streamed client messages are validated one by one. */
export function createValidationConcern(validate: MessageValidator): Concern {
  return (method) => (next) => {
    if (!takesStream(method)) {
      return (call) => {
        try {
          validate(method.input, call.input as Message);
        } catch (error) {
          return Promise.reject(error);
        }
        return next(call);
      };
    }
    return (call) => {
      call.input = checked(method.input, call.input as AsyncIterable<Message>, validate);
      return next(call);
    };
  };
}

async function* checked(schema: DescMessage, input: AsyncIterable<Message>, validate: MessageValidator) {
  try {
    for await (const message of input) {
      validate(schema, message);
      yield message;
    }
  } catch (error) {
    // Decoding happens as the handler reads: connect-node's words for bad input become the caller's error.
    throw asWireError(error);
  }
}
