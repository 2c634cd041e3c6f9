// `polity password reset` end to end: the real binary against a polityd child process without a mail server,
// the reset link read from the server's log as a person without SMTP would.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetTokenOf } from "../clients/src/cli/commands/password.js";
import { runPolity } from "./support/cli.js";
import { signUpVerified } from "./support/people.js";
import { startProcessServer, type TestServer } from "./support/server.js";

const EMAIL = "forgetful@example.org";
const OLD = "the old long password";
const NEW = "the new long password";

function resetLinks(logs: string[]): string[] {
  return logs.join("").split("\n").filter((l) => l.includes(`to ${EMAIL}:`))
    .flatMap((l) => /(https?:\/\/[^\s"\\]+\/#\/reset\?token=[A-Za-z0-9_-]+)/.exec(l)?.[1] ?? []);
}

describe("polity password reset", () => {
  let server: TestServer;
  let home: string;
  let env: Record<string, string>;
  const polity = (args: string[], input = "") => runPolity(args, env, input);

  beforeAll(async () => {
    server = await startProcessServer([]);
    home = mkdtempSync(join(tmpdir(), "polity-cli-pw-"));
    env = { XDG_CONFIG_HOME: join(home, "config"), HOME: home, POLITY_SERVER: server.url, POLITY_API_KEY: "", POLITY_TOKEN: "" };
    await signUpVerified(server.url, server.logs, EMAIL, OLD);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("wants exactly one of --email and --token", async () => {
    expect((await polity(["password", "reset"])).code).toBe(2);
    expect((await polity(["password", "reset", "--email", EMAIL, "--token", "x".repeat(20)])).code).toBe(2);
  });

  it("emails a link, sets the new password from it, and the old one stops working", async () => {
    const asked = await polity(["password", "reset", "--email", EMAIL]);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stderr).toContain("polity password reset --token");
    await expect.poll(() => resetLinks(server.logs).length, { timeout: 10_000 }).toBe(1);
    const [link] = resetLinks(server.logs);

    // The whole link, pasted as is.
    const set = await polity(["password", "reset", "--token", link!, "--password-stdin"], `${NEW}\n`);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain("password changed");

    expect((await polity(["login", "--email", EMAIL, "--password-stdin"], `${OLD}\n`)).code).toBe(4);
    const login = await polity(["login", "--email", EMAIL, "--password-stdin"], `${NEW}\n`);
    expect(login.code, login.stderr).toBe(0);

    // A link works once; the reason is in the output (the human text or, at least, the --json error).
    const reuse = ["password", "reset", "--token", resetTokenOf(link!), "--password-stdin"];
    const again = await polity(reuse, "yet another long password\n");
    const againJson = await polity(["--json", ...reuse], "yet another long password\n");
    expect(again.code).not.toBe(0);
    expect(againJson.code).toBe(again.code);
    expect(again.stderr + againJson.stderr).toContain("INVALID_LINK_TOKEN");
    expect((await polity(["login", "--email", EMAIL, "--password-stdin"], `${NEW}\n`)).code).toBe(0);
  }, 60_000);

  it("answers an unknown address exactly like a known one", async () => {
    const res = await polity(["--json", "password", "reset", "--email", "nobody@example.org"]);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({});
  });

  it("takes the token alone or inside a link", () => {
    expect(resetTokenOf("http://localhost:8080/#/reset?token=abc_DEF-123")).toBe("abc_DEF-123");
    expect(resetTokenOf("  abc_DEF-123\n")).toBe("abc_DEF-123");
  });
});
