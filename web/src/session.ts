// The tab's session. The access token (short-lived) and the account id live in sessionStorage, so a reload keeps
// them; the refresh token never reaches script: polityd keeps it in an HttpOnly cookie (cookie mode, asked for
// by api.ts). In its place the SDK holds COOKIE_REFRESH, a marker api.ts turns into "read the cookie", so the
// SDK's usual renewal works unchanged. A new tab starts with nothing and asks Refresh once (main.ts).
import type { Tokens } from "../../clients/src/web.js";

const KEY = "polity.tokens";
/** Stands for "the refresh token in the cookie"; never sent as such (api.ts empties it). */
export const COOKIE_REFRESH = "cookie-session-marker";

export const session = {
  load(): Tokens {
    try {
      const raw = JSON.parse(sessionStorage.getItem(KEY) ?? "{}") as Record<string, string | undefined>;
      if (!raw.accessToken) return {};
      return { accessToken: raw.accessToken, refreshToken: COOKIE_REFRESH, accountId: raw.accountId };
    } catch {
      return {};
    }
  },
  signedIn: (): boolean => Boolean(session.load().accessToken),
  /** Keeps only the access token and account id: expiry dates are re-read from the JWT by the client. */
  save(tokens: Tokens): void {
    if (!tokens.accessToken) return session.clear();
    const { accessToken, accountId } = tokens;
    sessionStorage.setItem(KEY, JSON.stringify({ accessToken, accountId }));
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};
