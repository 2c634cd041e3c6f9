// The one place that knows how the GUI reaches the API: the SDK's browser client over Connect, with its
// tokens kept in sessionStorage. The SDK attaches the bearer token, renews it with AuthService.Refresh on
// Unauthenticated, and adopts the tokens that Login, Register and ClaimSetup return.
import type { Interceptor } from "@connectrpc/connect";
import { Code, ConnectError, createPolityClient, type PolityClient } from "../../clients/src/web.js";
import { session } from "./session.js";

// Calls that fail with Unauthenticated for reasons other than a lost session (e.g. a wrong password).
const anonymous = new Set(["Register", "VerifyEmail", "Login", "Refresh", "Logout", "ExchangeApiKey", "RequestPasswordReset", "ResetPassword", "ClaimSetup"]);

let onSignedOut: () => void = () => {};
/** Called when the session is gone for good (renewal failed), so the app can show the sign-in page. */
export function setSignedOutHandler(fn: () => void): void {
  onSignedOut = fn;
}

// Outermost interceptor: sees the error only after the SDK has tried to renew the token.
const sessionLost: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (err) {
    if (ConnectError.from(err).code === Code.Unauthenticated && !anonymous.has(req.method.name) && session.signedIn()) {
      session.clear();
      onSignedOut();
    }
    throw err;
  }
};

function build(): PolityClient {
  return createPolityClient({
    baseUrl: location.origin,
    credentials: { ...session.load(), onTokens: (t) => session.save(t) },
    interceptors: [sessionLost],
  });
}

export type Api = Pick<PolityClient, "auth" | "accounts" | "orgs" | "authz" | "health" | "communities" | "voting">;

export const api: Api = build();

/** Forgets the client's in-memory tokens after a local sign-out. */
export function resetApi(): void {
  session.clear();
  Object.assign(api, build());
}
