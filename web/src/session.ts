// Tokens live in sessionStorage: they survive a reload but not the closing of the tab.
import type { Tokens } from "../../clients/src/web.js";

const KEY = "polity.tokens";

export const session = {
  load(): Tokens {
    try {
      const raw = JSON.parse(sessionStorage.getItem(KEY) ?? "{}") as Record<string, string | undefined>;
      return { accessToken: raw.accessToken, refreshToken: raw.refreshToken, accountId: raw.accountId };
    } catch {
      return {};
    }
  },
  signedIn: (): boolean => Boolean(session.load().accessToken),
  /** Keeps only the strings: expiry dates are re-read from the JWT by the client. */
  save(tokens: Tokens): void {
    if (!tokens.accessToken) return session.clear();
    const { accessToken, refreshToken, accountId } = tokens;
    sessionStorage.setItem(KEY, JSON.stringify({ accessToken, refreshToken, accountId }));
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};
