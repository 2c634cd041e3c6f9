// The github plugin's auth and actions against the local GitHub fake: the app JWT exchanged for an installation
// token once and the token reused, every call through ctx.fetch, and create-issue, get-installation and method.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonObject } from "../../sdk/define-plugin.js";
import { checkedAgainst, pluginErrorOf, refusalOf } from "../../sdk/test-support.js";
import { generateAppKeyPair } from "../../../../test/fakes/github-fake.js";
import { createGitHubPlugin } from "./github-plugin.js";
import { INSTALLATIONS, startGitHubStage, type GitHubStage } from "./test-support.js";

const plugin = createGitHubPlugin();
const action = (name: string) => plugin.actions![name]!;
let stage: GitHubStage;

beforeAll(async () => { stage = await startGitHubStage(); });
afterAll(async () => { await stage.github.close(); });

const run = (name: string, parameters: JsonObject, ctx = stage.ctx()) => action(name).run(ctx, checkedAgainst(action(name).input, parameters));

describe("github auth", () => {
  it("exchanges the app JWT for an installation token once and reuses it for later calls, all through ctx.fetch", async () => {
    const ctx = () => stage.ctx({ installationId: INSTALLATIONS[1].id });
    const before = stage.github.exchanges;
    const fetchedBefore = stage.fetched.length;
    await run("create-issue", { repo: "cache-check", title: "First" }, ctx());
    await run("create-issue", { repo: "cache-check", title: "Second" }, ctx());
    await run("method", { route: "GET /repos/{owner}/{repo}/issues", parameters: { repo: "cache-check" } }, ctx());
    expect(stage.github.exchanges - before).toBe(1);
    const exchange = stage.github.requests.filter((r) => r.path === `/app/installations/${INSTALLATIONS[1].id}/access_tokens`);
    expect(exchange).toEqual([{ method: "POST", path: `/app/installations/${INSTALLATIONS[1].id}/access_tokens`, auth: "bearer" }]);
    expect(stage.github.requests.filter((r) => r.path.startsWith("/repos/octo-org/cache-check")).map((r) => r.auth)).toEqual(["token", "token", "token"]);
    // The token exchange went through ctx.fetch too, so the outgoing-address guard covers it.
    expect(stage.fetched.slice(fetchedBefore).map((u) => new URL(u).pathname)).toEqual([
      `/app/installations/${INSTALLATIONS[1].id}/access_tokens`, "/repos/octo-org/cache-check/issues", "/repos/octo-org/cache-check/issues", "/repos/octo-org/cache-check/issues",
    ]);
  });

  it("gets a new installation token once when GitHub stops taking the cached one (revoked), as Metagov does", async () => {
    const ctx = () => stage.ctx({ installationId: INSTALLATIONS[2].id, config: { owner: "other-org" } });
    await run("create-issue", { repo: "revoked", title: "Before" }, ctx());
    const before = stage.github.exchanges;
    stage.github.expireTokens();
    // @octokit/auth-app first retries a fresh token's 401 for up to five seconds (GitHub's replication delay).
    const issue = await run("create-issue", { repo: "revoked", title: "After" }, ctx()) as JsonObject;
    expect(issue.number).toBe(2);
    expect(stage.github.exchanges - before).toBe(1);
  }, 20_000);

  it("fails as a platform error when GitHub refuses the JWT (a key that is not the app's) or ctx.fetch refuses the address", async () => {
    const stranger = generateAppKeyPair().privateKey;
    const refused = await pluginErrorOf(run("create-issue", { repo: "x", title: "t" }, stage.ctx({ config: { private_key: stranger } })));
    expect(refused.kind).toBe("platform");
    expect(refused.message).toContain("401");
    const guarded = { ...stage.ctx({ installationId: INSTALLATIONS[2].id, config: { private_key: generateAppKeyPair().privateKey } }), fetch: (async () => { throw new Error("refused: private address"); }) as typeof fetch };
    const blocked = await pluginErrorOf(run("get-installation", {}, guarded));
    expect(blocked).toMatchObject({ kind: "platform" });
    expect(blocked.message).toContain("private address");
  });

  it("refuses a config without app id, key or secret, and an installation id that differs from the platform id", async () => {
    expect(refusalOf(plugin.config, { private_key: "-----BEGIN RSA PRIVATE KEY-----", webhook_secret: "a-long-secret" })).toContain("app_id: required");
    expect(refusalOf(plugin.config, { app_id: 1, private_key: "not a pem", webhook_secret: "a-long-secret" })).toContain("private_key");
    const mismatch = await pluginErrorOf(run("get-installation", {}, stage.ctx({ config: { installation_id: "9999" } })));
    expect(mismatch.message).toContain("differs");
  });
});

describe("github actions", () => {
  it("create-issue creates the issue with its labels and answers GitHub's issue; owner defaults to config.owner", async () => {
    const issue = await run("create-issue", { repo: "governance", title: "Adopt the new code of conduct", body: "See the draft.", labels: ["proposal"] }) as JsonObject;
    expect(issue).toMatchObject({ number: 1, title: "Adopt the new code of conduct", state: "open", html_url: "https://github.com/octo-org/governance/issues/1" });
    expect(stage.github.issues.get("octo-org/governance")![0]).toMatchObject({ body: "See the draft.", labels: ["proposal"] });
    await run("create-issue", { owner: "other-org", repo_name: "metagov-style", title: "Named as Metagov names it" });
    expect(stage.github.issues.get("other-org/metagov-style")).toHaveLength(1);
    const noOwner = await pluginErrorOf(run("create-issue", { repo: "x", title: "t" }, stage.ctx({ config: { owner: undefined } })));
    expect(noOwner.kind).toBe("invalid_input");
    expect(refusalOf(action("create-issue").input, { repo: "x" })).toContain("title: required");
  });

  it("get-installation answers the installation, asked with the app JWT", async () => {
    const installation = await run("get-installation", {}) as JsonObject;
    expect(installation).toMatchObject({ id: INSTALLATIONS[0].id, app_id: 4242, account: { login: "octo-org" } });
    expect(stage.github.requests.filter((r) => r.path === `/app/installations/${INSTALLATIONS[0].id}`).map((r) => r.auth)).toEqual(["bearer"]);
  });

  it("method reaches any route: query parameters on GET, a body on POST, {owner} from the instance", async () => {
    await run("create-issue", { repo: "governance", title: "Budget 2027", labels: ["budget", "proposal"] });
    await run("method", { method: "PATCH", route: "/repos/{owner}/{repo}/issues/{issue_number}", parameters: { repo: "governance", issue_number: 1, state: "closed" } });
    const open = await run("method", { route: "GET /repos/{owner}/{repo}/issues", parameters: { repo: "governance" } }) as JsonObject[];
    expect(open.map((i) => i.title)).toEqual(["Budget 2027"]);
    const labelled = await run("method", { route: "GET /repos/{owner}/{repo}/issues", parameters: { repo: "governance", state: "all", labels: "proposal" } }) as JsonObject[];
    expect(labelled.map((i) => i.number)).toEqual([2, 1]);
    const since = await run("method", { route: "GET /repos/{owner}/{repo}/issues", parameters: { repo: "governance", state: "all", since: new Date(Date.now() + 60_000).toISOString() } }) as JsonObject[];
    expect(since).toEqual([]);
    // Metagov's shape: the route's values at the top level.
    const comment = await run("method", { method: "post", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", repo: "governance", issue_number: 2, body: "Looks good" }) as JsonObject;
    expect(comment.body).toBe("Looks good");
    const repositories = await run("method", { route: "GET /installation/repositories" }) as { repositories: JsonObject[] };
    expect(repositories.repositories.map((r) => r.full_name).sort()).toEqual(["octo-org/cache-check", "octo-org/governance"]);
  });

  it("method refuses routes that are not API paths, unknown methods, and passes GitHub's refusals on", async () => {
    for (const route of ["https://evil.example/steal", "//evil.example/x", "/repos/../../x", "FETCH /repos"]) {
      expect((await pluginErrorOf(run("method", { route }))).kind).toBe("invalid_input");
    }
    const missing = await pluginErrorOf(run("method", { route: "GET /repos/{owner}/{repo}/issues/{issue_number}", parameters: { repo: "governance", issue_number: 99 } }));
    expect(missing).toMatchObject({ kind: "platform" });
    expect(missing.message).toContain("404 Not Found");
  });
});
