// What the identity tests share: a server's GitHub settings pointing at the local GitHub fake, and linking a
// GitHub account the way a person does — start, follow the authorize page's redirect, complete with its code.
import { Code } from "@connectrpc/connect";
import { IdentityService } from "../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import { createGitHubOAuthFake, type GitHubOAuthFake } from "../../test/fakes/github-oauth-fake.js";
import { clientFor } from "../../test/support/clients.js";
import { reasonOf, rejection } from "../../test/support/failures.js";

export const GITHUB_APP = { clientId: "Iv1.polity-test", clientSecret: "polity-test-client-secret", callbackUrl: "http://localhost:5173/link/github" };

export const startGitHub = (): Promise<GitHubOAuthFake> => createGitHubOAuthFake(GITHUB_APP);

/** The POLITY_* settings of a server whose GitHub is the fake. */
export function githubEnv(github: GitHubOAuthFake): Record<string, string> {
  return {
    POLITY_GITHUB_OAUTH_CLIENT_ID: GITHUB_APP.clientId,
    POLITY_GITHUB_OAUTH_CLIENT_SECRET: GITHUB_APP.clientSecret,
    POLITY_GITHUB_OAUTH_REDIRECT_URL: GITHUB_APP.callbackUrl,
    POLITY_GITHUB_OAUTH_AUTHORIZE_URL: `${github.url}/login/oauth/authorize`,
    POLITY_GITHUB_OAUTH_TOKEN_URL: `${github.url}/login/oauth/access_token`,
    POLITY_GITHUB_OAUTH_API_URL: github.url,
  };
}

/** Opens the authorize URL as the browser of GitHub's signed-in user would; answers the callback's code and state. */
export async function authorizeAtGitHub(authorizeUrl: string): Promise<{ code: string; state: string }> {
  const response = await fetch(authorizeUrl, { redirect: "manual" });
  if (response.status !== 302) throw new Error(`GitHub's authorize page answered ${response.status}`);
  const callback = new URL(response.headers.get("location")!);
  return { code: callback.searchParams.get("code") ?? "", state: callback.searchParams.get("state") ?? "" };
}

/** Links `login` (signed in at the fake) to the account of `token`, through the whole OAuth flow. */
export async function linkGitHub(url: string, token: string, github: GitHubOAuthFake, login: string) {
  github.signIn(login);
  const identities = clientFor(IdentityService, url, token);
  const started = await identities.startGitHubLink({});
  const { code, state } = await authorizeAtGitHub(started.authorizeUrl);
  return identities.completeGitHubLink({ code, state });
}

/** The code and reason a call failed with. */
export async function refusal(call: Promise<unknown>): Promise<[Code, string | undefined]> {
  const error = await rejection(call);
  return [error.code, reasonOf(error)];
}
