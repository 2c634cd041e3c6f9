// The authenticated caller of an RPC, set by the auth interceptor and read by handlers through the context.
import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import { unauthenticated } from "../errors.js";

export interface Principal {
  accountId: string;
  kind: "person" | "service";
  // Refresh-token family the access token was issued for; empty for API-key exchanges.
  sessionId: string;
  // The account's email was not verified when the token was issued: its calls also count against the client
  // address's anonymous budget, so fresh throwaway accounts do not multiply an address's allowance.
  unverified?: true;
}

export const principalKey = createContextKey<Principal | undefined>(undefined, { description: "polity principal" });
// Client address as seen by the server (for throttling and the session list).
export const clientAddressKey = createContextKey<string>("", { description: "client address" });

export function principalOf(ctx: HandlerContext): Principal | undefined {
  return ctx.values.get(principalKey);
}

/** The caller, for RPCs whose rule requires authentication (the interceptor guarantees it is set). */
export function requirePrincipal(ctx: HandlerContext): Principal {
  const principal = ctx.values.get(principalKey);
  if (!principal) throw unauthenticated("MISSING_CREDENTIALS", "sign in first");
  return principal;
}

/** The caller's Authorization header, passed on to ports that ask sys as the caller (directory, identities). */
export function bearerOf(ctx: HandlerContext): string | undefined {
  return ctx.requestHeader.get("authorization") ?? undefined;
}
