// A local GitHub for tests: a real HTTP server (127.0.0.1, a free port) speaking the part of GitHub's REST API a
// GitHub App uses, with GitHub's rules and answers, and sending webhooks signed the way GitHub signs them.
//
//   const app = generateAppKeyPair();                       // an RSA key pair, as GitHub generates for an app
//   const github = await createGitHubFake({ appId: 42, publicKey: app.publicKey, installations: [{ id: 7, account: "octo-org" }] });
//   config = { app_id: 42, private_key: app.privateKey, webhook_secret: "…", api_url: github.url }
//
// App auth (Authorization: Bearer <JWT>): the JWT must be RS256, signed by the app's key, iss = the app id,
// iat not in the future and exp at most 10 minutes after iat and not passed — else 401 as GitHub answers.
//   POST /app/installations/{id}/access_tokens → 201 {token, expires_at (1 h), permissions, repository_selection}
//   GET  /app/installations/{id}               → the installation {id, account, app_id, permissions, events…}
// Installation auth (Authorization: token|Bearer <installation token>), acting as the app's bot user:
//   POST/GET /repos/{o}/{r}/issues (list: state open|closed|all, labels a,b, since ISO time, per_page, page)
//   GET/PATCH /repos/{o}/{r}/issues/{n}   ·  GET/POST …/issues/{n}/reactions  ·  GET/POST …/issues/{n}/comments
//   GET /repos/{o}/{r}  ·  GET /installation/repositories  ·  GET /users/{login}   (what the `method` action reaches besides the above)
// For tests: `issues` (by "owner/repo"), `exchanges` (token exchanges so far), `requests` (method + path +
// authorization scheme), `react(…)` and `comment(…)` as people, `addUser(login, id)` (a person GET /users knows),
// `expireTokens()`, and
// `sendWebhook(url, event, payload, {secret?, deliveryId?})`: POSTs the payload as GitHub does, with
// X-GitHub-Event, X-GitHub-Delivery (a new UUID unless given), X-Hub-Signature-256 (secret: null sends none).
import { createHmac, createPublicKey, createVerify, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson as send, startFakeHttpServer } from "./fake-http-server.js";

export interface GitHubUser { login: string; id: number; type: "User" | "Bot" }
export interface GitHubIssue {
  number: number; title: string; body: string | null; state: "open" | "closed"; labels: string[]; user: GitHubUser;
  created_at: string; updated_at: string; closed_at: string | null;
  /** Who works on it, and why it was closed ("completed", "not_planned"), as GitHub's issue objects carry them. */
  assignees?: GitHubUser[]; state_reason?: "completed" | "not_planned" | "reopened" | null;
  reactions: { id: number; content: string; user: GitHubUser; created_at: string }[];
  comments: { id: number; body: string; user: GitHubUser; created_at: string }[];
}
export interface GitHubFake {
  url: string;
  issues: Map<string, GitHubIssue[]>;
  exchanges: number;
  requests: { method: string; path: string; auth: string }[];
  react(owner: string, repo: string, issueNumber: number, login: string, content: string): void;
  comment(owner: string, repo: string, issueNumber: number, login: string, body: string): void;
  addUser(login: string, id: number): void;
  expireTokens(): void;
  sendWebhook(url: string, event: string, payload: unknown, options?: { secret?: string | null; deliveryId?: string }): Promise<{ status: number; body: string; deliveryId: string }>;
  close(): Promise<void>;
}

class GitHubError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"];

export function generateAppKeyPair(): { privateKey: string; publicKey: string } {
  // PKCS#1, as the .pem GitHub hands out ("BEGIN RSA PRIVATE KEY").
  return generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
}

export async function createGitHubFake(options: { appId: number; publicKey: string; installations: { id: number; account: string }[]; appSlug?: string; webhookSecret?: string }): Promise<GitHubFake> {
  const publicKey = createPublicKey(options.publicKey);
  const bot: GitHubUser = { login: `${options.appSlug ?? "polity-test"}[bot]`, id: 900_000 + options.appId, type: "Bot" };
  const tokens = new Map<string, { installationId: number; expiresAt: number }>();
  const issues = new Map<string, GitHubIssue[]>();
  const users = new Map<string, GitHubUser>();
  const requests: GitHubFake["requests"] = [];
  let nextId = 1000;
  const fake = { exchanges: 0 };

  const server = await startFakeHttpServer(serve, (error) => error instanceof GitHubError
    ? { status: error.status, body: { message: error.message, documentation_url: "https://docs.github.com/rest" } }
    : { status: 500, body: { message: String(error) } });
  const url = server.url;

  function person(login: string): GitHubUser {
    if (!users.has(login)) users.set(login, { login, id: nextId++, type: "User" });
    return users.get(login)!;
  }

  function installationOf(id: number) {
    const found = options.installations.find((i) => i.id === id);
    if (!found) throw new GitHubError(404, "Not Found");
    return {
      id: found.id, app_id: options.appId, app_slug: options.appSlug ?? "polity-test", target_type: "Organization",
      account: { login: found.account, id: 5000 + found.id, type: "Organization" },
      permissions: { issues: "write", metadata: "read" }, events: ["issues", "issue_comment", "pull_request"], repository_selection: "all",
    };
  }

  /** GitHub's checks of an app JWT: RS256, the app's key, iss, iat and a lifetime of at most ten minutes. */
  function checkAppJwt(authorization: string) {
    const jwt = /^bearer\s+(\S+)$/i.exec(authorization)?.[1];
    const parts = jwt?.split(".") ?? [];
    if (parts.length !== 3) throw new GitHubError(401, "A JSON web token could not be decoded");
    const [header, claims] = parts.slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>);
    const signed = createVerify("RSA-SHA256").update(`${parts[0]}.${parts[1]}`).verify(publicKey, Buffer.from(parts[2], "base64url"));
    if (header.alg !== "RS256" || !signed) throw new GitHubError(401, "A JSON web token could not be decoded");
    const now = Math.floor(Date.now() / 1000);
    if (String(claims.iss) !== String(options.appId)) throw new GitHubError(401, "'Issuer' claim ('iss') must be an Integer");
    if (typeof claims.iat !== "number" || claims.iat > now + 60) throw new GitHubError(401, "'Issued at' claim ('iat') must be an Integer representing a time in the past");
    if (typeof claims.exp !== "number" || claims.exp - claims.iat > 600) throw new GitHubError(401, "'Expiration time' claim ('exp') is too far in the future");
    if (claims.exp <= now) throw new GitHubError(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
  }

  function checkToken(authorization: string): number {
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization)?.[1] ?? "";
    const known = tokens.get(token);
    if (!known || known.expiresAt <= Date.now()) throw new GitHubError(401, "Bad credentials");
    return known.installationId;
  }

  const repoIssues = (owner: string, repo: string) => {
    const key = `${owner}/${repo}`.toLowerCase();
    if (!issues.has(key)) issues.set(key, []);
    return issues.get(key)!;
  };
  function issueAt(owner: string, repo: string, number: string | number): GitHubIssue {
    const found = repoIssues(owner, repo).find((i) => i.number === Number(number));
    if (!found) throw new GitHubError(404, "Not Found");
    return found;
  }
  const shown = (owner: string, repo: string, issue: GitHubIssue) => ({
    id: 70_000 + issue.number, number: issue.number, title: issue.title, body: issue.body, state: issue.state, user: issue.user,
    labels: issue.labels.map((name) => ({ name })), comments: issue.comments.length,
    assignee: issue.assignees?.[0] ?? null, assignees: issue.assignees ?? [], state_reason: issue.state_reason ?? null,
    created_at: issue.created_at, updated_at: issue.updated_at, closed_at: issue.closed_at,
    url: `${url}/repos/${owner}/${repo}/issues/${issue.number}`, html_url: `https://github.com/${owner}/${repo}/issues/${issue.number}`,
  });
  const touched = (issue: GitHubIssue) => { issue.updated_at = new Date().toISOString(); };
  /** GitHub's pages: per_page (default 30, at most 100) and page (from 1). */
  function page<T>(items: T[], query: URLSearchParams): T[] {
    const perPage = Math.min(Number(query.get("per_page") ?? 30) || 30, 100);
    const at = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    return items.slice((at - 1) * perPage, at * perPage);
  }

  async function serve(request: IncomingMessage, response: ServerResponse) {
    const { pathname: path, searchParams: query } = new URL(request.url ?? "/", url);
    const method = request.method ?? "GET";
    const authorization = request.headers.authorization ?? "";
    requests.push({ method, path, auth: authorization.split(/\s+/)[0]?.toLowerCase() ?? "" });
    let m: RegExpExecArray | null;
    if ((m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path)) && method === "POST") {
      checkAppJwt(authorization);
      const installation = installationOf(Number(m[1]));
      const token = `ghs_${randomBytes(18).toString("hex")}`;
      const expiresAt = Date.now() + 3600_000;
      tokens.set(token, { installationId: installation.id, expiresAt });
      fake.exchanges++;
      return send(response, 201, { token, expires_at: new Date(expiresAt).toISOString().replace(/\.\d+Z$/, "Z"), permissions: installation.permissions, repository_selection: "all" });
    }
    if ((m = /^\/app\/installations\/(\d+)$/.exec(path)) && method === "GET") {
      checkAppJwt(authorization);
      return send(response, 200, installationOf(Number(m[1])));
    }
    const installationId = checkToken(authorization);
    if (path === "/installation/repositories" && method === "GET") {
      const owner = installationOf(installationId).account.login;
      // The installation's repositories: its account's repositories that have issues here.
      const names = [...issues.keys()].filter((key) => key.startsWith(`${owner.toLowerCase()}/`)).map((key) => key.split("/")[1]);
      return send(response, 200, { total_count: names.length, repositories: names.map((name, i) => ({ id: 300 + i, name, full_name: `${owner}/${name}` })) });
    }
    if ((m = /^\/users\/([^/]+)$/.exec(path)) && method === "GET") {
      const user = [...users.values()].find((u) => u.login.toLowerCase() === decodeURIComponent(m![1]).toLowerCase());
      if (!user) throw new GitHubError(404, "Not Found");
      return send(response, 200, user);
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path)) && method === "GET") {
      return send(response, 200, { id: 301, name: m[2], full_name: `${m[1]}/${m[2]}`, owner: { login: m[1] }, private: false, open_issues_count: repoIssues(m[1], m[2]).filter((i) => i.state === "open").length });
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues$/.exec(path))) {
      const [, owner, repo] = m;
      if (method === "POST") {
        const body = await readBody(request);
        if (typeof body.title !== "string" || !body.title) throw new GitHubError(422, "Validation Failed");
        const list = repoIssues(owner, repo);
        const now = new Date().toISOString();
        const issue: GitHubIssue = { number: list.length + 1, title: body.title, body: (body.body as string | undefined) ?? null, state: "open", labels: (body.labels as string[] | undefined) ?? [], user: bot, created_at: now, updated_at: now, closed_at: null, reactions: [], comments: [] };
        list.push(issue);
        return send(response, 201, shown(owner, repo, issue));
      }
      if (method === "GET") {
        const state = query.get("state") ?? "open";
        const labels = (query.get("labels") ?? "").split(",").map((l) => l.trim().toLowerCase()).filter(Boolean);
        const since = query.get("since") ? Date.parse(query.get("since")!) : -Infinity;
        const matching = repoIssues(owner, repo)
          .filter((i) => state === "all" || i.state === state)
          .filter((i) => labels.every((label) => i.labels.some((l) => l.toLowerCase() === label)))
          .filter((i) => Date.parse(i.updated_at) >= since)
          .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.number - a.number);
        return send(response, 200, page(matching, query).map((i) => shown(owner, repo, i)));
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/.exec(path))) {
      const [, owner, repo, number] = m;
      const issue = issueAt(owner, repo, number);
      if (method === "PATCH") {
        const body = await readBody(request);
        if (body.state === "closed" && issue.state === "open") issue.closed_at = new Date().toISOString();
        if (body.state === "open") issue.closed_at = null;
        if (body.state === "open" || body.state === "closed") issue.state = body.state;
        if (typeof body.title === "string") issue.title = body.title;
        if (typeof body.body === "string") issue.body = body.body;
        if (Array.isArray(body.labels)) issue.labels = body.labels.map(String);
        touched(issue);
      } else if (method !== "GET") throw new GitHubError(404, "Not Found");
      return send(response, 200, shown(owner, repo, issue));
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/(reactions|comments)$/.exec(path))) {
      const [, owner, repo, number, kind] = m;
      const issue = issueAt(owner, repo, number);
      if (method === "GET") return send(response, 200, kind === "reactions" ? page(issue.reactions, query) : page(issue.comments, query));
      if (method !== "POST") throw new GitHubError(404, "Not Found");
      const body = await readBody(request);
      if (kind === "comments") {
        if (typeof body.body !== "string" || !body.body) throw new GitHubError(422, "Validation Failed");
        return send(response, 201, addComment(issue, bot, body.body));
      }
      if (!REACTIONS.includes(String(body.content))) throw new GitHubError(422, "Validation Failed");
      return send(response, 201, addReaction(issue, bot, String(body.content)));
    }
    throw new GitHubError(404, "Not Found");
  }

  function addComment(issue: GitHubIssue, user: GitHubUser, body: string) {
    const comment = { id: nextId++, body, user, created_at: new Date().toISOString() };
    issue.comments.push(comment);
    touched(issue);
    return comment;
  }
  function addReaction(issue: GitHubIssue, user: GitHubUser, content: string) {
    // As GitHub: one reaction of a kind per user; reacting again answers the existing one.
    const existing = issue.reactions.find((r) => r.user.id === user.id && r.content === content);
    if (existing) return existing;
    const reaction = { id: nextId++, content, user, created_at: new Date().toISOString() };
    issue.reactions.push(reaction);
    return reaction;
  }

  return {
    url,
    issues,
    get exchanges() { return fake.exchanges; },
    requests,
    react: (owner, repo, number, login, content) => void addReaction(issueAt(owner, repo, number), person(login), content),
    comment: (owner, repo, number, login, body) => void addComment(issueAt(owner, repo, number), person(login), body),
    addUser: (login, id) => void users.set(login, { login, id, type: "User" }),
    expireTokens: () => { for (const token of tokens.values()) token.expiresAt = 0; },
    async sendWebhook(target, event, payload, sendOptions = {}) {
      const body = JSON.stringify(payload);
      const deliveryId = sendOptions.deliveryId ?? randomUUID();
      const secret = sendOptions.secret === undefined ? options.webhookSecret : sendOptions.secret;
      const headers: Record<string, string> = {
        "Content-Type": "application/json", "User-Agent": "GitHub-Hookshot/4f1b2c3", "X-GitHub-Event": event, "X-GitHub-Delivery": deliveryId,
        "X-GitHub-Hook-ID": "123456", "X-GitHub-Hook-Installation-Target-Type": "integration", "X-GitHub-Hook-Installation-Target-ID": String(options.appId),
      };
      if (secret) {
        headers["X-Hub-Signature-256"] = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
        headers["X-Hub-Signature"] = `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`;
      }
      const answer = await fetch(target, { method: "POST", headers, body });
      return { status: answer.status, body: await answer.text(), deliveryId };
    },
    close: () => server.close(),
  };
}
