// Connect interceptor around the guard: stores the caller in the context values for handlers.
import type { Interceptor } from "@connectrpc/connect";
import { clientAddressKey, principalKey } from "../authn/principal.js";
import type { Guard } from "./guard.js";

export function createAuthInterceptor(guard: Guard): Interceptor {
  return (next) => async (req) => {
    const path = `/${req.service.typeName}/${req.method.name}`;
    const header = req.header.get("authorization");
    const address = req.contextValues.get(clientAddressKey);
    if (!req.stream) {
      const principal = await guard(path, header, req.message as unknown as Record<string, unknown>, address);
      if (principal) req.contextValues.set(principalKey, principal);
      return next(req);
    }
    if (req.method.methodKind !== "server_streaming") {
      // Client and bidi streams carry no single request to fill a resource template from.
      const principal = await guard(path, header, undefined, address);
      if (principal) req.contextValues.set(principalKey, principal);
      return next(req);
    }
    // A server stream's one request arrives as a stream of one message: read it to decide, then hand the
    // handler the same message.
    const iterator = req.message[Symbol.asyncIterator]();
    const first = await iterator.next();
    const principal = await guard(path, header, first.done ? undefined : (first.value as unknown as Record<string, unknown>), address);
    if (principal) req.contextValues.set(principalKey, principal);
    async function* replay() {
      if (!first.done) yield first.value;
      for (let item = await iterator.next(); !item.done; item = await iterator.next()) yield item.value;
    }
    return next({ ...req, message: replay() } as typeof req);
  };
}
