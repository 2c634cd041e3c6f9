// `polls show` and `communities show` against a real server print Markdown bodies as plain text, while --json
// keeps the Markdown exactly as stored. Real PostgreSQL, a database of its own.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessServer, type TestServer } from "../../../test/support/server.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { createPolityClient } from "../node.js";
import { JoinPolicy, Visibility } from "../gen/polity/sys/community/v1/community_pb.js";
import { VotingMethod } from "../gen/polity/mod/voting/v1/voting_pb.js";
import { runCli } from "./program.js";
import type { Io } from "./io.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const DESCRIPTION = "We grow **fruit**.\n\n- apples\n- pears\n\n<script>alert(1)</script>";
const BODY = "## Why\n\nSee [the plan](https://example.org/plan) and run `polity vote`.\n\n<img src=x onerror=alert(1)>Thanks!";

describe("Markdown bodies in the CLI", () => {
  let server: TestServer;
  let database: TestDatabase;
  let home: string;
  let pollId = "";

  async function polity(args: string[], stdin = "") {
    let stdout = "";
    let stderr = "";
    const io: Io = {
      stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t),
      env: { XDG_CONFIG_HOME: home, POLITY_SERVER: server.url }, interactive: false, progress: false,
      readStdin: async () => stdin, prompt: async () => { throw new Error("no prompts in tests"); },
    };
    const code = await runCli(args, io);
    expect(code, `polity ${args.join(" ")}\n${stderr}`).toBe(0);
    return stdout;
  }

  beforeAll(async () => {
    database = await createTestDatabase("markdown_cli");
    server = await startInProcessServer({ DATABASE_URL: database.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    home = mkdtempSync(join(tmpdir(), "polity-markdown-cli-"));
    const admin = createPolityClient({ baseUrl: server.url });
    await admin.auth.login(ADMIN);
    const { org } = await admin.orgs.createOrg({ slug: "orchard", displayName: "Orchard" });
    const { community } = await admin.communities.createCommunity({
      orgId: org!.id, slug: "orchard-friends", name: "Orchard friends", description: DESCRIPTION,
      visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
    });
    const { poll } = await admin.voting.createPoll({ poll: {
      communityId: community!.id, title: "Which tree?", method: VotingMethod.SINGLE_CHOICE, body: BODY,
      options: [{ id: "a", label: "Apple" }, { id: "b", label: "Pear" }],
    } });
    pollId = poll!.id;
    await polity(["login", "--email", ADMIN.email, "--password-stdin"], `${ADMIN.password}\n`);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("shows a community description as plain text without markup or HTML", async () => {
    const out = await polity(["communities", "show", "orchard-friends"]);
    expect(out).toContain("We grow fruit.");
    expect(out).toMatch(/- apples/);
    expect(out).toMatch(/- pears/);
    expect(out).not.toContain("**");
    expect(out).not.toContain("<script>");
    expect(out).not.toContain("alert(1)");
  });

  it("shows a poll body as plain text, and --json keeps the Markdown", async () => {
    const out = await polity(["polls", "show", pollId, "--community", "orchard-friends"]);
    expect(out).toContain("Why\n---\n");
    expect(out).toContain("See the plan (https://example.org/plan) and run `polity vote`.");
    expect(out).toContain("Thanks!");
    expect(out).not.toContain("##");
    expect(out).not.toContain("<img");
    const json = JSON.parse(await polity(["--json", "polls", "show", pollId, "--community", "orchard-friends"])) as { poll: { body: string } };
    expect(json.poll.body).toBe(BODY);
  });
});
