// For provider tests: a provider run as the delivery loop runs it, without the module: its config checked and
// defaulted by its own schema, one send with a fresh abort signal, failures classified as the loop classifies
// them, and webhook requests verified and parsed.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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
  const logger = pino({ level: "silent" });
  let serial = 0;
  const send: ProviderHarness["send"] = (message, sendOptions = {}) => {
    const id = message.messageId ?? `00000000-0000-4000-8000-${String(++serial).padStart(12, "0")}`;
    return definition.send(
      { config: checked, fetch: options.fetch ?? globalThis.fetch, signal: AbortSignal.timeout(sendOptions.timeoutMs ?? 10_000), logger },
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

export interface InboundEndpoint {
  /** The URL to give the provider (or its fake) for callbacks and inbound messages. */
  url: string;
  /** Events of every request that verified and parsed, in order. */
  events: InboundEvent[];
  /** Each request's answer: 401 unverified, 400 unreadable, else the provider's reply (or 200). */
  answers: number[];
  close(): Promise<void>;
}

/** A real HTTP endpoint that treats requests as the module's webhook route does: verify, parse, reply. */
export async function startInboundEndpoint(definition: ProviderDefinition, config: JsonObject): Promise<InboundEndpoint> {
  const checked = checkedConfig(definition, config);
  const inbound = definition.inbound!;
  const events: InboundEvent[] = [];
  const answers: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const req: InboundRequest = { rawBody: Buffer.concat(chunks), headers: request.headers as Record<string, string | undefined>, url: `${origin}${request.url ?? "/"}` };
      const answer = (status: number, headers: Record<string, string> = { "content-type": "application/json" }, body = "{}") => {
        answers.push(status);
        response.writeHead(status, headers).end(body);
      };
      if (!inbound.verify(req, checked)) return answer(401);
      let parsed: InboundEvent[];
      try {
        parsed = inbound.parse(req, checked);
      } catch {
        return answer(400);
      }
      events.push(...parsed);
      const reply = inbound.reply?.(parsed, req);
      return reply ? answer(reply.status, reply.headers, reply.body) : answer(200);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${origin}/hook`, events, answers, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}
