// A local GitHub for the OAuth web flow: a real HTTP server (127.0.0.1, a free port) speaking the three endpoints
// an OAuth app uses, with GitHub's rules and answers.
//
//   const github = await createGitHubOAuthFake({ clientId: "Iv1.x", clientSecret: "s", callbackUrl: "http://app/cb" });
//   const octocat = github.addUser("octocat");   // { id: 1001, login: "octocat" }
//   github.signIn("octocat");                    // whose browser session approves the next authorize request
//
//   GET  /login/oauth/authorize       client_id, redirect_uri?, state, scope?, allow_signup? → 302 to the callback
//                                     (redirect_uri, else the app's registered one) with ?code=…&state=…; an
//                                     unknown client_id is 404; a redirect_uri outside the registered callback
//                                     redirects with error=redirect_uri_mismatch, as GitHub does.
//   POST /login/oauth/access_token    form or JSON client_id, client_secret, code, redirect_uri? → always 200, JSON
//                                     when Accept asks for it, else form-encoded: {access_token, token_type: "bearer",
//                                     scope} or {error: incorrect_client_credentials | bad_verification_code |
//                                     redirect_uri_mismatch, error_description, error_uri}. Codes live 10 minutes
//                                     and are accepted once.
//   GET  /user                        Authorization: Bearer|token <access token> → the user; 401 "Requires
//                                     authentication" / "Bad credentials" otherwise.
// For tests: `requests` (method + path of each call), `renameUser(login, newLogin)`.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson, startFakeHttpServer } from "./fake-http-server.js";

export interface GitHubUserRecord {
  id: number;
  login: string;
}

export interface GitHubOAuthFake {
  url: string;
  requests: { method: string; path: string }[];
  addUser(login: string): GitHubUserRecord;
  renameUser(login: string, newLogin: string): void;
  signIn(login: string): void;
  close(): Promise<void>;
}

interface Grant {
  userId: number;
  redirectUri?: string;
  expiresAt: number;
  used: boolean;
}

const CODE_TTL_MS = 10 * 60_000;
const DOCS = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";

export async function createGitHubOAuthFake(app: { clientId: string; clientSecret: string; callbackUrl: string }): Promise<GitHubOAuthFake> {
  const users = new Map<number, GitHubUserRecord>();
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, number>();
  const requests: { method: string; path: string }[] = [];
  let nextId = 1001;
  let signedIn: number | undefined;

  const userNamed = (login: string) => [...users.values()].find((u) => u.login === login);
  // GitHub accepts a redirect_uri on the registered callback's host and port whose path lies under its path.
  const withinCallback = (uri: string) => {
    const given = new URL(uri);
    const registered = new URL(app.callbackUrl);
    return given.origin === registered.origin && given.pathname.startsWith(registered.pathname);
  };

  function authorize(url: URL, response: ServerResponse): void {
    if (url.searchParams.get("client_id") !== app.clientId) return void response.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
    if (signedIn === undefined) return void response.writeHead(302, { location: "/login" }).end();
    const state = url.searchParams.get("state") ?? "";
    const redirectUri = url.searchParams.get("redirect_uri") ?? undefined;
    if (redirectUri && !withinCallback(redirectUri)) {
      const back = new URL(app.callbackUrl);
      back.search = new URLSearchParams({ error: "redirect_uri_mismatch", error_description: "The redirect_uri MUST match the registered callback URL for this application.", error_uri: DOCS, state }).toString();
      return void response.writeHead(302, { location: back.toString() }).end();
    }
    const code = randomBytes(10).toString("hex");
    codes.set(code, { userId: signedIn, redirectUri, expiresAt: Date.now() + CODE_TTL_MS, used: false });
    const back = new URL(redirectUri ?? app.callbackUrl);
    back.searchParams.set("code", code);
    if (state) back.searchParams.set("state", state);
    response.writeHead(302, { location: back.toString() }).end();
  }

  async function accessToken(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const answer = (fields: Record<string, string>) => {
      if ((request.headers.accept ?? "").includes("application/json")) return sendJson(response, 200, fields);
      response.writeHead(200, { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }).end(new URLSearchParams(fields).toString());
    };
    const refuse = (error: string, description: string) => answer({ error, error_description: description, error_uri: DOCS });
    if (body.client_id !== app.clientId || body.client_secret !== app.clientSecret) return refuse("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.");
    const grant = codes.get(String(body.code ?? ""));
    if (!grant || grant.used || grant.expiresAt <= Date.now()) return refuse("bad_verification_code", "The code passed is incorrect or expired.");
    if (body.redirect_uri !== undefined && body.redirect_uri !== grant.redirectUri) return refuse("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.");
    grant.used = true;
    const token = `gho_${randomBytes(18).toString("base64url")}`;
    tokens.set(token, grant.userId);
    answer({ access_token: token, token_type: "bearer", scope: "" });
  }

  function user(request: IncomingMessage, response: ServerResponse): void {
    const docs = "https://docs.github.com/rest/users/users#get-the-authenticated-user";
    const match = /^(?:bearer|token)\s+(\S+)$/i.exec(request.headers.authorization ?? "");
    if (!match) return sendJson(response, 401, { message: "Requires authentication", documentation_url: docs, status: "401" });
    const found = users.get(tokens.get(match[1]) ?? -1);
    if (!found) return sendJson(response, 401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
    sendJson(response, 200, { login: found.login, id: found.id, node_id: `U_${found.id}`, type: "User", site_admin: false, html_url: `https://github.com/${found.login}`, name: found.login });
  }

  const server = await startFakeHttpServer(
    async (request, response) => {
      const url = new URL(request.url ?? "/", "http://github.test");
      requests.push({ method: request.method ?? "GET", path: url.pathname });
      if (request.method === "GET" && url.pathname === "/login/oauth/authorize") return authorize(url, response);
      if (request.method === "POST" && url.pathname === "/login/oauth/access_token") return accessToken(request, response);
      if (request.method === "GET" && url.pathname === "/user") return user(request, response);
      sendJson(response, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });
    },
    () => ({ status: 500, body: { message: "Server Error" } }),
  );

  return {
    url: server.url,
    requests,
    addUser(login) {
      const record = { id: nextId++, login };
      users.set(record.id, record);
      return record;
    },
    renameUser(login, newLogin) {
      const found = userNamed(login);
      if (!found) throw new Error(`no GitHub user ${login}`);
      found.login = newLogin;
    },
    signIn(login) {
      const found = userNamed(login);
      if (!found) throw new Error(`no GitHub user ${login}`);
      signedIn = found.id;
    },
    close: () => server.close(),
  };
}
