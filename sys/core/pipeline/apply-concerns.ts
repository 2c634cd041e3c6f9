// Applies the pipeline's concerns to every method of every service, once, when the host registers them. The
// wrapped handlers are what every serving path calls: the unary fast paths and connect-node alike.
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import type { ServiceRegistration } from "../module.js";
import { type Concern, type Next, repliesWithStream } from "./concern.js";

type Handler = (input: unknown, ctx: HandlerContext) => unknown;

/** The registrations with each implemented method wrapped by `concerns` (outermost first). */
export function applyConcerns(registrations: ServiceRegistration[], concerns: Concern[]): ServiceRegistration[] {
  return registrations.map(({ desc, impl }) => {
    const wrapped: Record<string, Handler> = {};
    for (const method of (desc as DescService).methods) {
      const handler = (impl as Record<string, Handler | undefined>)[method.localName];
      // An unimplemented method stays unimplemented: connect answers Unimplemented without running anything.
      if (typeof handler === "function") wrapped[method.localName] = wrapMethod(method, handler.bind(impl), concerns);
    }
    return { desc, impl: wrapped as unknown as ServiceRegistration["impl"] };
  });
}

function wrapMethod(method: DescMethod, handler: Handler, concerns: Concern[]): Handler {
  const path = `/${method.parent.typeName}/${method.name}`;
  let next: Next = async (call) => handler(call.input, call.ctx);
  for (let i = concerns.length - 1; i >= 0; i--) next = concerns[i](method, path)(next);
  const run = next;
  // connect calls a streaming handler for an AsyncIterable at once; the concerns run on the first read.
  if (repliesWithStream(method)) return (input, ctx) => replies(run({ method, path, ctx, input }));
  return (input, ctx) => run({ method, path, ctx, input });
}

async function* replies(reply: Promise<unknown>): AsyncGenerator<unknown> {
  yield* (await reply) as AsyncIterable<unknown>;
}
