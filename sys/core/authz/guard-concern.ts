// The guard as a pipeline concern: authenticates and authorizes every call before its handler runs, and puts
// the caller in the context values for handlers.
import type { Message } from "@bufbuild/protobuf";
import { clientAddressKey, principalKey } from "../authn/principal.js";
import { type Concern, requestHeaderOf } from "../pipeline/concern.js";
import type { Guard } from "./guard.js";

export function createGuardConcern(guard: Guard): Concern {
  return (method, path) => {
    // Client and bidi streams carry no single request to fill a resource template from.
    const single = method.methodKind === "unary" || method.methodKind === "server_streaming";
    return (next) => async (call) => {
      const { ctx } = call;
      const message = single ? (call.input as Message as unknown as Record<string, unknown>) : undefined;
      const principal = await guard(path, requestHeaderOf(ctx, "authorization"), message, ctx.values.get(clientAddressKey));
      if (principal) ctx.values.set(principalKey, principal);
      return next(call);
    };
  };
}
