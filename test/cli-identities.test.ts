// The identities commands of the real `polity` binary against a real in-process server whose GitHub is the local
// OAuth fake (a real HTTP server speaking GitHub's authorize, token and /user endpoints). `link github` prints
// GitHub's authorize address; the test's "browser" follows it, and the address GitHub sends it back to completes
// the link, pasted as --callback, as --code/--state, or (in-process, as in a terminal) at the prompt. A replayed
// callback, GitHub's refusal and flag mistakes are refused with the right exit code; list and unlink show and
// remove only the caller's own links.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../clients/src/cli/exit.js";
import type { Io } from "../clients/src/cli/io.js";
import { runCli } from "../clients/src/cli/program.js";
import { createGitHubOAuthFake, type GitHubOAuthFake } from "./fakes/github-oauth-fake.js";
import { runPolity, type CliRun } from "./support/cli.js";
import { signUpVerified } from "./support/people.js";
import { startInProcessServer, type TestServer } from "./support/server.js";

const APP = { clientId: "Iv1.polity-cli", clientSecret: "polity-cli-secret", callbackUrl: "https://polity.example.org/link-github" };
const PEOPLE = { ada: { email: "ada@example.org", password: "ada's long password" }, ben: { email: "ben@example.org", password: "ben's long password" } };
type Who = keyof typeof PEOPLE;
type Listed = { identities?: Array<{ platform: string; platformUserId: string; platformUsername: string; linkType: string; linkQuality: string }> };

describe("polity identities", () => {
  let server: TestServer;
  let github: GitHubOAuthFake;
  let home: string;
  const env = (who: Who) => ({ XDG_CONFIG_HOME: join(home, who), HOME: home, POLITY_SERVER: server.url, POLITY_API_KEY: "", POLITY_TOKEN: "" });
  const polity = (args: string[], who: Who = "ada"): Promise<CliRun> => runPolity(args, env(who));
  const ok = async (args: string[], who: Who = "ada"): Promise<CliRun> => {
    const run = await polity(args, who);
    expect(run.code, `polity ${args.join(" ")}\n${run.stderr}`).toBe(EXIT.ok);
    return run;
  };
  const listed = async (who: Who = "ada") => (JSON.parse((await ok(["--json", "identities", "list"], who)).stdout) as Listed).identities ?? [];

  /** What GitHub's signed-in user's browser does with the authorize address: the address it is sent back to. */
  async function authorize(authorizeUrl: string): Promise<string> {
    const response = await fetch(authorizeUrl, { redirect: "manual" });
    expect(response.status).toBe(302);
    return response.headers.get("location")!;
  }

  async function start(who: Who = "ada"): Promise<string> {
    const run = await ok(["identities", "link", "github"], who);
    expect(run.stderr).toContain("polity identities link github --callback");
    return run.stdout.trim();
  }

  beforeAll(async () => {
    github = await createGitHubOAuthFake(APP);
    server = await startInProcessServer({
      POLITY_GITHUB_OAUTH_CLIENT_ID: APP.clientId,
      POLITY_GITHUB_OAUTH_CLIENT_SECRET: APP.clientSecret,
      POLITY_GITHUB_OAUTH_REDIRECT_URL: APP.callbackUrl,
      POLITY_GITHUB_OAUTH_AUTHORIZE_URL: `${github.url}/login/oauth/authorize`,
      POLITY_GITHUB_OAUTH_TOKEN_URL: `${github.url}/login/oauth/access_token`,
      POLITY_GITHUB_OAUTH_API_URL: github.url,
    });
    home = mkdtempSync(join(tmpdir(), "polity-cli-identities-"));
    for (const [who, person] of Object.entries(PEOPLE) as [Who, { email: string; password: string }][]) {
      await signUpVerified(server.url, server.logs, person.email, person.password);
      const login = await runPolity(["login", "--email", person.email, "--password-stdin"], env(who), `${person.password}\n`);
      expect(login.code, login.stderr).toBe(EXIT.ok);
    }
    github.addUser("ada-gh");
    github.addUser("ben-gh");
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await github?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("links GitHub with the pasted callback address, lists it, and unlinks it by username", async () => {
    expect(await listed()).toEqual([]);
    github.signIn("ada-gh");
    const authorizeUrl = await start();
    expect(new URL(authorizeUrl).searchParams.get("redirect_uri")).toBe(APP.callbackUrl);
    const callback = await authorize(authorizeUrl);
    expect(callback.startsWith(`${APP.callbackUrl}?code=`)).toBe(true);
    const linked = await ok(["identities", "link", "github", "--callback", callback]);
    expect(linked.stdout).toBe("linked GitHub account ada-gh (id 1001)\n");
    expect(await listed()).toMatchObject([{ platform: "github", platformUserId: "1001", platformUsername: "ada-gh", linkType: "LINK_TYPE_OAUTH", linkQuality: "LINK_QUALITY_CONFIRMED_STRONG" }]);
    const table = (await ok(["identities", "list"])).stdout;
    expect(table).toMatch(/│ github:1001 +│ github +│ ada-gh +│ oauth +│ confirmed_strong +│/);
    expect(await listed("ben")).toEqual([]);

    // The same callback again: its state was spent.
    const replay = await polity(["--json", "identities", "link", "github", "--callback", callback]);
    expect(replay.code).toBe(EXIT.server);
    expect(JSON.parse(replay.stderr).error).toMatchObject({ code: "FAILED_PRECONDITION", reason: "LINK_STATE_INVALID" });

    // Ben cannot unlink what is not his: he sees no such link.
    const refused = await polity(["identities", "unlink", "ada-gh"], "ben");
    expect(refused.code, refused.stderr).toBe(EXIT.usage);
    const unlinked = await ok(["identities", "unlink", "ada-gh"]);
    expect(unlinked.stderr).toBe("unlinked github account ada-gh\n");
    expect(await listed()).toEqual([]);
  });

  it("completes with --code and --state, and with the web GUI's address of the callback", async () => {
    github.signIn("ben-gh");
    const back = new URL(await authorize(await start("ben")));
    await ok(["identities", "link", "github", "--code", back.searchParams.get("code")!, "--state", back.searchParams.get("state")!], "ben");
    expect((await listed("ben")).map((x) => x.platformUsername)).toEqual(["ben-gh"]);
    await ok(["identities", "unlink", "github:1002"], "ben");

    // Not signed in on the web, the browser ends on the sign-in page that returns to the callback's route.
    const again = new URL(await authorize(await start("ben")));
    const next = `/link/github${again.search}`;
    await ok(["identities", "link", "github", "--callback", `https://polity.example.org/#/login?next=${encodeURIComponent(next)}`], "ben");
    expect((await listed("ben")).map((x) => x.platformUsername)).toEqual(["ben-gh"]);
  });

  it("completes at the prompt in a terminal", async () => {
    github.signIn("ada-gh");
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      env: env("ada"),
      interactive: true,
      readStdin: async () => "",
      // The person opens the printed address in a browser and pastes where it ends up.
      prompt: async () => authorize(out.join("").trim()),
    };
    const code = await runCli(["--server", server.url, "identities", "link", "github"], io);
    expect(code, err.join("")).toBe(EXIT.ok);
    expect(out.join("")).toContain("linked GitHub account ada-gh (id 1001)\n");
    expect((await listed()).map((x) => x.platformUsername)).toEqual(["ada-gh"]);
  });

  it("refuses GitHub's refusal, flag mistakes and unknown links as usage errors", async () => {
    const cases: string[][] = [
      ["identities", "link", "github", "--callback", `${APP.callbackUrl}?error=access_denied&state=x`],
      ["identities", "link", "github", "--callback", APP.callbackUrl],
      ["identities", "link", "github", "--callback", "not an address"],
      ["identities", "link", "github", "--code", "abc"],
      ["identities", "link", "github", "--code", "abc", "--state", "s", "--callback", APP.callbackUrl],
      ["identities", "link", "discord"],
      ["identities", "unlink", "nobody"],
    ];
    for (const args of cases) expect((await polity(args)).code, args.join(" ")).toBe(EXIT.usage);
    expect((await polity(["identities", "link", "github", "--callback", `${APP.callbackUrl}?error=access_denied&state=x`])).stderr).toContain("GitHub did not authorize the link (access_denied)");
  });
});
