// The one place that knows how the GUI reaches the API: the SDK's browser client over Connect. The SDK attaches
// the bearer token, renews it with AuthService.Refresh on Unauthenticated, and adopts the tokens that Login,
// Register and ClaimSetup return. AuthService calls go out in cookie mode (`x-polity-session: cookie`): polityd
// keeps the refresh token in an HttpOnly cookie, which survives a new tab and a reload; session.ts explains the
// marker that stands for it here.
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createPolityClient, webTransport, type PolityClient } from "../../clients/src/web.js";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { COOKIE_REFRESH, session } from "./session.js";

// Calls that fail with Unauthenticated for reasons other than a lost session (e.g. a wrong password).
const anonymous = new Set(["Register", "VerifyEmail", "Login", "Refresh", "Logout", "ExchangeApiKey", "RequestPasswordReset", "ResetPassword", "ClaimSetup"]);
// Calls that carry or return a refresh token.
const sessionCalls = new Set(["Register", "Login", "Refresh", "Logout", "ClaimSetup"]);

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

// Innermost, on both of the SDK's transports (the one it renews tokens on, too): asks for cookie mode, sends
// the marker as "" (read the cookie), and puts the marker back where polityd left the refresh token out.
const cookieMode: Interceptor = (next) => async (req) => {
  if (req.service.typeName !== AuthService.typeName || !sessionCalls.has(req.method.name) || req.stream) return next(req);
  req.header.set("x-polity-session", "cookie");
  const message = req.message as { refreshToken?: string };
  if (message.refreshToken === COOKIE_REFRESH) message.refreshToken = "";
  const res = await next(req);
  if (!res.stream) {
    const tokens = (res.message as { tokens?: { accessToken?: string; refreshToken?: string } }).tokens;
    if (tokens?.accessToken && !tokens.refreshToken) tokens.refreshToken = COOKIE_REFRESH;
  }
  return res;
};

function build(): PolityClient {
  return createPolityClient({
    baseUrl: location.origin,
    credentials: { ...session.load(), onTokens: (t) => session.save(t) },
    interceptors: [sessionLost],
    transport: (init) => webTransport({ ...init, interceptors: [...init.interceptors, cookieMode] }),
  });
}

export type Api = Pick<PolityClient, "auth" | "accounts" | "orgs" | "authz" | "health" | "communities" | "voting">;

export const api: Api = build();

const serviceClients = new Map<DescService, { transport: unknown; client: unknown }>();

/**
 * A client of any service on the app's authenticated transport (session cookie, token renewal, the signed-out
 * handler), rebuilt when a sign-out swaps the transport (resetApi).
 */
export function serviceClient<S extends DescService>(service: S): Client<S> {
  const transport = (api as Partial<PolityClient>).transport;
  if (!transport) throw new Error(`The ${service.name} client has no transport: the web app's API client changed shape.`);
  const hit = serviceClients.get(service);
  if (hit?.transport === transport) return hit.client as Client<S>;
  const client = createClient(service, transport);
  serviceClients.set(service, { transport, client });
  return client;
}

/** Forgets the client's in-memory tokens after a local sign-out. */
export function resetApi(): void {
  session.clear();
  Object.assign(api, build());
}

/**
 * A tab that starts without an access token (a new tab, a shared link) asks once whether the browser still
 * holds a session cookie. True when it did and the tab is now signed in.
 */
export async function resumeSession(): Promise<boolean> {
  if (session.signedIn()) return true;
  try {
    await api.auth.refresh({ refreshToken: COOKIE_REFRESH });
    return session.signedIn();
  } catch {
    return false;
  }
}
