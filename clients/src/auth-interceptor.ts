// Attaches `authorization: Bearer <access>` to every call, renews the token once on Unauthenticated, and
// picks up tokens returned by AuthService (Login, Register, ClaimSetup…) so callers never juggle them.
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { AuthService, TokenPairSchema, type TokenPair } from "./gen/polity/sys/auth/v1/auth_pb.js";
import type { TokenManager } from "./tokens.js";

// Calls that must go out without a bearer token: renewing one first would be wasted or, with a revoked
// refresh token, would fail a call (Login) that does not need it.
const anonymous = new Set(["Register", "VerifyEmail", "Login", "Refresh", "Logout", "ExchangeApiKey",
  "RequestPasswordReset", "ResetPassword", "ClaimSetup"]);

export function createAuthInterceptor(tokens: TokenManager): Interceptor {
  return (next) => async (req) => {
    const isAuth = req.service.typeName === AuthService.typeName;
    const token = isAuth && anonymous.has(req.method.name) ? undefined : await tokens.accessToken();
    if (token) req.header.set("authorization", `Bearer ${token}`);
    let res;
    try {
      res = await next(req);
    } catch (err) {
      // A stream's input is consumed by the first attempt, so only unary calls are replayed.
      if (!token || req.stream || ConnectError.from(err).code !== Code.Unauthenticated) throw err;
      const renewed = await tokens.renewAfterRejection(token);
      if (!renewed || renewed === token) throw err;
      req.header.set("authorization", `Bearer ${renewed}`);
      res = await next(req);
    }
    if (isAuth && !res.stream) {
      if (req.method.name === "Logout") await tokens.clear();
      const pair = tokenPairOf(res.message);
      if (pair?.accessToken) await tokens.adopt(pair);
    }
    return res;
  };
}

function tokenPairOf(message: unknown): TokenPair | undefined {
  const candidate = (message as { tokens?: { $typeName?: string } }).tokens;
  return candidate?.$typeName === TokenPairSchema.typeName ? (candidate as TokenPair) : undefined;
}
