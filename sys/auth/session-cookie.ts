// The browser's refresh token as a cookie ("cookie mode"). The web app asks for it with the request header
// `x-polity-session: cookie`; the SDK and the CLI never send it and keep the refresh token in the reply body.
// The cookie is HttpOnly (script cannot read it), SameSite=Strict (no other site's page sends it), Secure when
// polityd is reached over https, and scoped to AuthService's path so no other call carries it. CSRF: besides
// SameSite=Strict, the custom header is required, which a cross-site form cannot send and a cross-site script
// can only send after a CORS preflight that polityd answers for allowed origins only (and it does not allow
// this header nor credentials), so cookie mode is same-origin only.
import type { HandlerContext } from "@connectrpc/connect";
import type { TokenPair } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { unauthenticated } from "../core/errors.js";

export const SESSION_MODE_HEADER = "x-polity-session";
export const SESSION_COOKIE = "polity_refresh";
const COOKIE_PATH = `/${AuthService.typeName}/`;

export const cookieMode = (hc: HandlerContext): boolean => hc.requestHeader.get(SESSION_MODE_HEADER)?.trim().toLowerCase() === "cookie";

/** The refresh token from the request's cookie, in cookie mode only. */
export function refreshTokenFromCookie(hc: HandlerContext): string | undefined {
  if (!cookieMode(hc)) return undefined;
  for (const part of (hc.requestHeader.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim()) || undefined;
  }
  return undefined;
}

/** The token a Refresh or Logout acts on: the body's, or in cookie mode with an empty body the cookie's. */
export function presentedRefreshToken(hc: HandlerContext, fromBody: string): string {
  if (fromBody) return fromBody;
  const cookie = refreshTokenFromCookie(hc);
  if (cookie) return cookie;
  throw cookieMode(hc)
    ? unauthenticated("NO_SESSION_COOKIE", "no session cookie was sent; sign in again")
    : unauthenticated("MISSING_REFRESH_TOKEN", "refresh_token is empty; send it, or use cookie mode (x-polity-session: cookie)");
}

/**
 * In cookie mode, moves the refresh token from the reply into the cookie (the body's copy is blanked so no
 * script sees it); otherwise returns the tokens as they are.
 */
export function deliverTokens(hc: HandlerContext, tokens: TokenPair, secure: boolean): TokenPair {
  if (!cookieMode(hc) || !tokens.refreshToken) return tokens;
  const maxAge = tokens.refreshTokenExpiresAt ? Math.max(0, Number(tokens.refreshTokenExpiresAt.seconds) - Math.floor(Date.now() / 1000)) : undefined;
  hc.responseHeader.append("set-cookie", cookieLine(encodeURIComponent(tokens.refreshToken), secure, maxAge));
  return { ...tokens, refreshToken: "" };
}

/** Clears the cookie (sign-out, or a cookie that no longer names a live session). */
export function clearCookie(hc: HandlerContext, secure: boolean): void {
  if (cookieMode(hc)) hc.responseHeader.append("set-cookie", cookieLine("", secure, 0));
}

function cookieLine(value: string, secure: boolean, maxAge: number | undefined): string {
  const attrs = [`${SESSION_COOKIE}=${value}`, `Path=${COOKIE_PATH}`, "HttpOnly", "SameSite=Strict"];
  if (maxAge !== undefined) attrs.push(`Max-Age=${maxAge}`);
  if (secure) attrs.push("Secure");
  return attrs.join("; ");
}
