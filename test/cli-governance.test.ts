// The governance commands of the real `polity` binary against a real in-process server: an admin enables the
// randomness plugin, runs random-int, starts a delayed-stochastic-vote and waits for its draw, lists processes
// and events; --json output parses; secrets given in --config never come back out; a member without the right
// is refused with the server-error exit code and PERMISSION_DENIED.
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { polityBin } from "./support/cli.js";
import { useCliStage } from "./support/cli-stage.js";
import { EXIT } from "../clients/src/cli/exit.js";

const ADMIN = { email: "admin@example.org", password: "correct horse battery" };
const MEMBER = { email: "mia@example.org", password: "mia's long password" };
const API_KEY = "discourse-api-key-that-must-never-be-printed";
const WEBHOOK_SECRET = "webhook-secret-that-must-never-be-printed";
const FORUM = "https://forum.example.org";

/** A post_created delivery as Discourse sends it: signed with the webhook's secret over the raw body. */
async function postDiscourseWebhook(url: string, id: number, username: string): Promise<void> {
  const body = JSON.stringify({ post: { id, raw: `Post number ${id}`, topic_id: 10, username } });
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json", "x-discourse-event": "post_created", "x-discourse-event-id": String(id), "x-discourse-instance": FORUM,
      "x-discourse-event-signature": `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`,
    },
    body,
  });
  expect(res.status, await res.text()).toBeLessThan(300);
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
    });
    child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    child.once("close", (code) => reject(new Error(`polity events --follow ended (${code}) before an event: ${err}`)));
  });
}

type Instance = { id: string; plugin: string; enabled: boolean; config: Record<string, unknown>; secretsSet: string[] };
type Event = { type: string; cursor: string; data: Record<string, unknown>; initiator: Record<string, unknown> };
type Process = { id: string; name: string; status: string; outcome: Record<string, unknown>; input: Record<string, unknown> };

describe("polity plugins, actions, processes and events", () => {
  const cli = useCliStage("cli-governance", { admin: ADMIN, member: MEMBER });
  const { polity, ok, json } = cli;
  /** The webhook inbox is worked through after the answer: list until the events are there. */
  async function waitForEvents(args: string[], count: number): Promise<{ events: Event[]; cursor: string }> {
    for (const deadline = Date.now() + 20_000; ;) {
      const listed = await json<{ events: Event[]; cursor: string }>(["events", "coast-towns", ...args]);
      if (listed.events.length >= count || Date.now() > deadline) return listed;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  it("lists the plugins the server offers, with their actions and processes", async () => {
    const { plugins } = await json<{ plugins: Array<{ name: string; actions: Array<{ name: string }>; processes: Array<{ name: string }> }> }>(["plugins", "list"]);
    const randomness = plugins.find((p) => p.name === "randomness");
    expect(randomness?.actions.map((a) => a.name)).toEqual(expect.arrayContaining(["randomness.random-int", "randomness.set-lucky-number"]));
    expect(randomness?.processes.map((p) => p.name)).toContain("randomness.delayed-stochastic-vote");
    const table = (await ok(["plugins", "list"])).stdout;
    expect(table).toContain("randomness.random-int");
    expect(table).toContain("randomness.delayed-stochastic-vote");
    expect((await ok(["plugins", "show", "randomness"])).stdout).toMatch(/default_high[\s\S]*integer/);
  });

  it("enables randomness by the community's slug, runs random-int with typed parameters and with the config's defaults", async () => {
    const { instance } = await json<{ instance: Instance }>(["plugins", "enable", "coast-towns", "randomness", "--config", '{"default_low": 40, "default_high": 43}']);
    expect(instance).toMatchObject({ plugin: "randomness", enabled: true, config: { default_low: 40, default_high: 43 } });
    const enabled = await json<{ instances: Instance[] }>(["plugins", "enabled", "coast-towns"]);
    expect(enabled.instances.map((i) => i.id)).toEqual([instance.id]);
    expect((await ok(["plugins", "enabled", "coast-towns"])).stdout).toContain(instance.id.slice(0, 8));

    // `--param high=12` is read as the integer the schema asks for; the human output is the result as JSON.
    const human = JSON.parse((await ok(["actions", "run", "coast-towns", "randomness.random-int", "--param", "low=10", "--param", "high=12"])).stdout) as { value: number };
    expect([10, 11]).toContain(human.value);
    const { result } = await json<{ result: { value: number } }>(["actions", "run", "coast-towns", "randomness.random-int"]);
    expect([40, 41, 42]).toContain(result.value);
    const lucky = await json<{ result: { lucky_number: number } }>(["actions", "run", "coast-towns", "randomness.set-lucky-number", "--params", '{"lucky_number": 7}']);
    expect(lucky.result.lucky_number).toBe(7);

    // A bad parameter is refused by the plugin's schema: a server error, said in words.
    const refused = await polity(["actions", "run", "coast-towns", "randomness.random-int", "--param", "low=5", "--param", "high=5"]);
    expect(refused.code).toBe(EXIT.server);
    expect(refused.stderr).toMatch(/^error: /);
    expect((await polity(["actions", "run", "coast-towns", "randomness.random-int", "--param", "low=ten"])).code).toBe(EXIT.usage);
  });

  it("starts a delayed-stochastic-vote, waits for its draw, and lists and shows it", async () => {
    const started = await json<{ process: Process }>(["processes", "start", "coast-towns", "randomness.delayed-stochastic-vote", "--input", '{"options": ["tea", "coffee"], "delay": 0.03}', "--wait"]);
    expect(started.process.status).toBe("PROCESS_STATUS_COMPLETED");
    expect(["tea", "coffee"]).toContain(started.process.outcome.winner);

    const listed = await json<{ processes: Process[] }>(["processes", "list", "coast-towns"]);
    expect(listed.processes.find((p) => p.id === started.process.id)).toMatchObject({ status: "PROCESS_STATUS_COMPLETED", outcome: started.process.outcome });
    expect((await json<{ processes: Process[] }>(["processes", "list", "coast-towns", "--status", "pending"])).processes).toEqual([]);
    expect((await ok(["processes", "list", "coast-towns", "--status", "completed"])).stdout).toMatch(/randomness\.delayed-stochastic-vote[\s\S]*completed/);
    // A person names the process by the 8 characters the table shows.
    const shown = (await ok(["processes", "show", "coast-towns", started.process.id.slice(0, 8)])).stdout;
    expect(shown).toContain(started.process.id);
    expect(shown).toContain(String(started.process.outcome.winner));

    // Without --wait the process comes back pending; closing it draws at once.
    const pending = await json<{ process: Process }>(["processes", "start", "coast-towns", "randomness.delayed-stochastic-vote", "--input", '{"options": ["north"], "delay": 60}']);
    expect(pending.process.status).toBe("PROCESS_STATUS_PENDING");
    const closed = await json<{ process: Process }>(["processes", "close", "coast-towns", pending.process.id]);
    expect(closed.process).toMatchObject({ status: "PROCESS_STATUS_COMPLETED", outcome: { winner: "north" } });
  });

  it("never prints the secrets given in --config or --config-file, only that they are set", async () => {
    const config = { server_url: FORUM, api_key: API_KEY, webhook_secret: WEBHOOK_SECRET };
    const human = await ok(["plugins", "enable", "coast-towns", "discourse", "--config", JSON.stringify(config)]);
    expect(human.stdout).toMatch(/api_key: set/);
    const file = join(cli.home, "discourse.json");
    writeFileSync(file, JSON.stringify(config));
    const second = await polity(["--json", "plugins", "enable", "coast-towns", "discourse", "--config-file", file, "--platform-id", "second-forum"]);
    expect(second.code, second.stderr).toBe(EXIT.ok);
    const { instance } = JSON.parse(second.stdout) as { instance: Instance };
    expect(instance.secretsSet.sort()).toEqual(["api_key", "webhook_secret"]);
    const listing = [await polity(["plugins", "enabled", "coast-towns"]), await polity(["--json", "plugins", "enabled", "coast-towns"])];
    // Malformed JSON is refused without quoting it (V8's own message would).
    const malformed = await polity(["plugins", "update", "coast-towns", instance.id, "--config", `{"api_key": ${API_KEY}}`]);
    expect(malformed.code).toBe(EXIT.usage);
    const updated = await polity(["plugins", "update", "coast-towns", instance.id, "--config", JSON.stringify({ server_url: "https://forum2.example.org", api_username: "bot" })]);
    expect(updated.code, updated.stderr).toBe(EXIT.ok);
    expect(updated.stdout).toContain("forum2.example.org");
    for (const run of [human, second, ...listing, malformed, updated]) {
      for (const secret of [API_KEY, WEBHOOK_SECRET]) expect(run.stdout + run.stderr).not.toContain(secret);
    }
    const disabled = await json<{ instance: Instance }>(["plugins", "disable", "coast-towns", instance.id.slice(0, 8)]);
    expect(disabled.instance.enabled).toBe(false);
  });

  it("lists the hooks, and the events a signed webhook produced: as a table, as JSON, and followed live", async () => {
    const { hooks } = await json<{ hooks: string[] }>(["plugins", "hooks", "coast-towns"]);
    const hook = hooks.find((path) => path.includes("/discourse"));
    expect(hook).toBeDefined();
    expect((await ok(["plugins", "hooks", "coast-towns"])).stdout).toContain(`${cli.server.url}${hook}`);
    const before = await json<{ events: Event[]; cursor: string }>(["events", "coast-towns"]);

    await postDiscourseWebhook(`${cli.server.url}${hook}`, 1, "ada");
    const listed = await waitForEvents(["--after", before.cursor], 1);
    expect(listed.events[0]).toMatchObject({ type: "discourse.post_created", data: { raw: "Post number 1" }, initiator: { user_id: "ada" } });
    const human = await ok(["events", "coast-towns", "--after", before.cursor]);
    expect(human.stdout).toMatch(/discourse\.post_created[\s\S]*ada/);
    expect((await json<{ events: Event[] }>(["events", "coast-towns", "--type", "discourse.topic_created"])).events).toEqual([]);
    expect((await json<{ events: Event[] }>(["events", "coast-towns", "--after", listed.cursor])).events).toEqual([]);

    // --follow: one JSON object per line, as events happen, until stopped.
    const follow = spawn(polityBin, ["--json", "events", "coast-towns", "--follow", "--after", listed.cursor], { env: { ...process.env, ...cli.env("admin") } });
    try {
      // The stream starts after the cursor, so the event is replayed even if it lands before the stream opens.
      const line = firstLine(follow);
      await postDiscourseWebhook(`${cli.server.url}${hook}`, 2, "grace");
      const followed = JSON.parse(await line) as Event;
      expect(followed).toMatchObject({ type: "discourse.post_created", data: { raw: "Post number 2" }, initiator: { user_id: "grace" } });
    } finally {
      follow.kill("SIGINT");
    }
  });

  it("refuses a member who may not manage plugins: exit code 1 and PERMISSION_DENIED", async () => {
    const human = await polity(["plugins", "enable", "coast-towns", "randomness"], "member");
    expect(human.code).toBe(EXIT.server);
    expect(human.stderr).toMatch(/not allowed/);
    const run = await polity(["--json", "plugins", "enable", "coast-towns", "randomness"], "member");
    expect(run.code).toBe(EXIT.server);
    expect(JSON.parse(run.stderr).error.code).toBe("PERMISSION_DENIED");
  });
});
