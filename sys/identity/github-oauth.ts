// GitHub's OAuth web flow, the part sys speaks: the authorize URL people are sent to, the code exchanged at the
// token endpoint (GitHub answers 200 with {"error": …} for a bad code, so the body decides, not the status), and
// GET /user naming the account that authorized. Base URLs come from config so GitHub Enterprise and the tests'
// fake can stand in for github.com.
import { Code } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { Config } from "../core/config.js";
import { apiError, failedPrecondition, invalidArgument } from "../core/errors.js";

export interface GitHubUser {
  /** GitHub's numeric user id, as a string: stable across renames. */
  id: string;
  login: string;
}

export interface GitHubOAuth {
  authorizeUrl(state: string): string;
  /** The code's access token; INVALID_ARGUMENT GITHUB_CODE_REJECTED when GitHub refuses the code. */
  exchangeCode(code: string): Promise<string>;
  user(accessToken: string): Promise<GitHubUser>;
}

const TIMEOUT_MS = 10_000;

const unavailable = () => apiError(Code.Unavailable, "GITHUB_UNAVAILABLE", "GitHub could not be reached; try again");

/** undefined while the operator has not configured an OAuth app. */
export function createGitHubOAuth(config: Config, logger: Logger): GitHubOAuth | undefined {
  const { githubOAuthClientId: clientId, githubOAuthClientSecret: clientSecret, githubOAuthRedirectUrl: redirectUrl } = config;
  if (!clientId || !clientSecret) return undefined;

  async function call(url: string, init: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      logger.warn({ err, url }, "GitHub OAuth call failed");
      throw unavailable();
    }
    if (response.status >= 500 || response.status === 429) {
      logger.warn({ status: response.status, url }, "GitHub OAuth call answered with an error");
      throw unavailable();
    }
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
    } catch {
      logger.warn({ status: response.status, url }, "GitHub answered something other than JSON");
      throw unavailable();
    }
  }

  return {
    authorizeUrl(state) {
      const url = new URL(config.githubOAuthAuthorizeUrl);
      url.searchParams.set("client_id", clientId);
      if (redirectUrl) url.searchParams.set("redirect_uri", redirectUrl);
      // No scope: reading who authorized needs none.
      url.searchParams.set("state", state);
      url.searchParams.set("allow_signup", "false");
      return url.toString();
    },

    async exchangeCode(code) {
      const form = new URLSearchParams({ client_id: clientId, client_secret: clientSecret, code });
      if (redirectUrl) form.set("redirect_uri", redirectUrl);
      const { body } = await call(config.githubOAuthTokenUrl, {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
      });
      const error = typeof body.error === "string" ? body.error : undefined;
      if (error === "incorrect_client_credentials" || error === "redirect_uri_mismatch") {
        logger.error({ error }, "GitHub refused the OAuth app's credentials: check githubOAuthClientId, githubOAuthClientSecret and githubOAuthRedirectUrl");
        throw failedPrecondition("GITHUB_OAUTH_MISCONFIGURED", "GitHub linking is misconfigured on this server");
      }
      if (error || typeof body.access_token !== "string") {
        throw invalidArgument("code", `GitHub did not accept the code (${error ?? "no token"}); start again`, "GITHUB_CODE_REJECTED");
      }
      return body.access_token;
    },

    async user(accessToken) {
      const { status, body } = await call(`${config.githubOAuthApiUrl.replace(/\/+$/, "")}/user`, {
        headers: { accept: "application/vnd.github+json", authorization: `Bearer ${accessToken}`, "x-github-api-version": "2022-11-28", "user-agent": "polity" },
      });
      if (status !== 200 || typeof body.id !== "number" || typeof body.login !== "string") {
        logger.warn({ status }, "GitHub did not answer GET /user with the token it just issued");
        throw unavailable();
      }
      return { id: String(body.id), login: body.login };
    },
  };
}
