// Connect interceptor around the guard: stores the caller in the context values for handlers.
import type { Interceptor } from "@connectrpc/connect";
import { principalKey } from "../authn/principal.js";
import type { Guard } from "./guard.js";

export function createAuthInterceptor(guard: Guard): Interceptor {
  return (next) => async (req) => {
    const message = req.stream ? undefined : (req.message as unknown as Record<string, unknown>);
    const principal = await guard(`/${req.service.typeName}/${req.method.name}`, req.header.get("authorization"), message);
    if (principal) req.contextValues.set(principalKey, principal);
    return next(req);
  };
}
