// For provider tests: a provider run as the delivery loop runs it, without the module: its config checked and
// defaulted by its own schema, one send with a fresh abort signal, failures classified as the loop classifies
// them, and webhook requests verified and parsed.
import pino from "pino";
import { createSchemaCompiler } from "../../../governance/index.js";
import type { InboundEvent, InboundRequest, JsonObject, OutgoingMessage, ProviderDefinition, SendResult } from "./define-provider.js";
import { classifyFailure, type FailureClass } from "./failures.js";

const compile = createSchemaCompiler();

export interface ProviderHarness {
  config: JsonObject;
  send(message: Partial<OutgoingMessage> & { to: string; text: string }, options?: { timeoutMs?: number }): Promise<SendResult>;
  /** The classified failure of a send that must fail; throws when it succeeds. */
  failure(message: Partial<OutgoingMessage> & { to: string; text: string }): Promise<FailureClass>;
  verify(req: InboundRequest): boolean;
  parse(req: InboundRequest): InboundEvent[];
}

/** The config as the module would store it: checked against the provider's schema, defaults filled. */
export function checkedConfig(definition: ProviderDefinition, config: JsonObject): JsonObject {
  const checked = compile(definition.configSchema)(config);
  if (!checked.ok) throw new Error(`config rejected: ${checked.problems.join("; ")}`);
  return checked.value;
}

export function providerHarness(definition: ProviderDefinition, config: JsonObject, options: { fetch?: typeof fetch } = {}): ProviderHarness {
  const checked = checkedConfig(definition, config);
  let serial = 0;
  const send: ProviderHarness["send"] = (message, sendOptions = {}) => {
    const id = message.messageId ?? `00000000-0000-4000-8000-${String(++serial).padStart(12, "0")}`;
    return definition.send(
      { config: checked, fetch: options.fetch ?? globalThis.fetch, signal: AbortSignal.timeout(sendOptions.timeoutMs ?? 10_000), logger: pino({ level: "silent" }) },
      { messageId: id, idempotencyKey: message.idempotencyKey ?? `key-${id}`, ...message },
    );
  };
  return {
    config: checked,
    send,
    async failure(message) {
      try {
        await send(message);
      } catch (error) {
        return classifyFailure(error);
      }
      throw new Error("expected the send to fail");
    },
    verify: (req) => definition.inbound!.verify(req, checked),
    parse: (req) => definition.inbound!.parse(req, checked),
  };
}
