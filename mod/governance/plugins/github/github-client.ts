// Calls to GitHub's REST API as a GitHub App installation. @octokit/auth-app signs the app JWT (RS256, from the
// instance's private key) and exchanges it for an installation access token, which it caches until shortly
// before GitHub expires it; @octokit/request sends every call, through ctx.fetch so the outgoing-address guard
// applies to the token exchange too. A failed call becomes a platformError quoting GitHub's message.
import { createHash } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { request as octokitRequest } from "@octokit/request";
import { platformError, type InstanceContext, type Json, type JsonObject } from "../../sdk/define-plugin.js";

export const DEFAULT_API_URL = "https://api.github.com";
const REQUEST_TIMEOUT_MS = 15_000;
const PAGE_SIZE = 100;
/** Enough for 10,000 reactions or comments on one vote; a bound so a runaway listing cannot loop forever. */
const MAX_PAGES = 100;

type AppAuth = ReturnType<typeof createAppAuth>;
export type GitHubRequest = (route: string, parameters?: Record<string, unknown>) => Promise<Json>;

// Plugin contexts are made per call, so the auth (and with it the token cache) lives here, one per app key and
// installation. The key hashes the private key: a rotated key gets a fresh auth and never an old token.
const auths = new Map<string, AppAuth>();
/** Far more installations than one Polity serves; beyond it the oldest auth (and its token) is dropped. */
const MAX_AUTHS = 1_000;

function authKeyOf(ctx: InstanceContext): string {
  const { app_id: appId, private_key: privateKey } = ctx.config;
  return [apiUrlOf(ctx.config), String(appId), installationIdOf(ctx), createHash("sha256").update(String(privateKey)).digest("hex")].join("|");
}

function appAuthFor(ctx: InstanceContext): AppAuth {
  const { app_id: appId, private_key: privateKey } = ctx.config;
  const installationId = installationIdOf(ctx);
  const key = authKeyOf(ctx);
  let auth = auths.get(key);
  if (!auth) {
    const log = ctx.logger;
    auth = createAppAuth({
      appId: String(appId),
      privateKey: String(privateKey),
      installationId,
      log: { warn: (message: string) => log.warn(message), debug: () => {}, info: () => {}, error: (message: string) => log.error(message) },
    });
    if (auths.size >= MAX_AUTHS) auths.delete(auths.keys().next().value!);
    auths.set(key, auth);
  }
  return auth;
}

export function apiUrlOf(config: JsonObject): string {
  return String(config.api_url ?? DEFAULT_API_URL).replace(/\/+$/, "");
}

/**
 * The installation this instance acts as: its platform id (what webhooks are routed by), else
 * config.installation_id; when both are set they must agree, or calls would go to another installation.
 */
export function installationIdOf(ctx: InstanceContext): string {
  const configured = ctx.config.installation_id === undefined ? "" : String(ctx.config.installation_id);
  if (ctx.platformId && configured && ctx.platformId !== configured) throw platformError(`github: installation_id ${configured} differs from the instance's platform id ${ctx.platformId}`);
  const id = ctx.platformId || configured;
  if (!/^[1-9][0-9]*$/.test(id)) throw platformError("github: installation_id is not set for this instance (give it in config or as the platform id)");
  return id;
}

/** A request function bound to this instance: installation-token auth (app JWT for /app routes), ctx.fetch. */
export function githubRequestFor(ctx: InstanceContext): GitHubRequest {
  const guardedFetch: typeof fetch = (input, init) => ctx.fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const requestWithAuth = () => octokitRequest.defaults({
    baseUrl: apiUrlOf(ctx.config),
    headers: { "user-agent": "polity-governance", "x-github-api-version": "2022-11-28" },
    request: { fetch: guardedFetch, hook: appAuthFor(ctx).hook },
  });
  return async (route, parameters = {}) => {
    try {
      return ((await requestWithAuth()(route, parameters)).data ?? null) as Json;
    } catch (error) {
      // A cached installation token GitHub no longer takes (revoked, the app reinstalled): as Metagov does, get
      // a new one and try once more. /app routes use a fresh JWT each time, so a 401 there is final.
      const path = route.replace(/^[A-Za-z]+\s+/, "");
      const appRoute = path === "/app" || path.startsWith("/app/");
      if ((error as { status?: number }).status !== 401 || appRoute) throw platformError(`GitHub ${route} failed: ${describe(error)}`);
      auths.delete(authKeyOf(ctx));
      try {
        return ((await requestWithAuth()(route, parameters)).data ?? null) as Json;
      } catch (retried) {
        throw platformError(`GitHub ${route} failed: ${describe(retried)}`);
      }
    }
  };
}

/** Every page of a list route (per_page 100), as GitHub pages lists: a short page is the last one. */
export async function listAll(request: GitHubRequest, route: string, parameters: Record<string, unknown>): Promise<JsonObject[]> {
  const items: JsonObject[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const batch = await request(route, { ...parameters, per_page: PAGE_SIZE, page });
    if (!Array.isArray(batch)) throw platformError(`GitHub ${route} answered something that is not a list`);
    items.push(...(batch as JsonObject[]));
    if (batch.length < PAGE_SIZE) break;
  }
  return items;
}

/** GitHub answers errors as {"message": "…", "errors": [...]}; Octokit's RequestError carries status and body. */
function describe(error: unknown): string {
  const failure = error as { status?: number; message?: string; response?: { data?: unknown } };
  const data = failure.response?.data as { message?: string; errors?: unknown } | undefined;
  const detail = data?.message ? `${data.message}${data.errors ? ` ${JSON.stringify(data.errors).slice(0, 300)}` : ""}` : failure.message ?? String(error);
  return failure.status ? `${failure.status} ${detail}` : detail;
}
