// `polity services …` and `polity chains …` in-process against a real server (the commands are registered on
// the program as the lead will): kinds, add with a secret that never comes back out, list, show by name,
// update, chains set/show/list/remove, and remove refused while a chain names the service.
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { register as registerChains } from "../../clients/src/cli/commands/chains.js";
import { register as registerServices } from "../../clients/src/cli/commands/services.js";
import { describeError, EXIT } from "../../clients/src/cli/exit.js";
import type { Io } from "../../clients/src/cli/io.js";
import { buildProgram } from "../../clients/src/cli/program.js";
import { signIn } from "../support/people.js";
import { type ProviderStage, startProviderStage } from "./providers-stage.js";

const SECRET = "cli-auth-token-that-must-never-be-printed";
let stage: ProviderStage;
let token: string;

async function polity(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = {
    stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: { POLITY_TOKEN: token }, interactive: false,
    readStdin: async () => "", prompt: async () => "",
  };
  const program: Command = buildProgram(io);
  if (!program.commands.some((c) => c.name() === "services")) registerServices(program, io);
  if (!program.commands.some((c) => c.name() === "chains")) registerChains(program, io);
  try {
    await program.parseAsync(["--server", stage.server.url, ...args], { from: "user" });
    return { code: EXIT.ok, out, err };
  } catch (error) {
    const { code, text } = describeError(error, { json: args.includes("--json") });
    return { code, out, err: err + (text ?? "") };
  }
}

const json = async <T>(...args: string[]): Promise<T> => {
  const result = await polity("--json", ...args);
  expect(result.code, result.err).toBe(EXIT.ok);
  return JSON.parse(result.out) as T;
};

beforeAll(async () => {
  stage = await startProviderStage("providers_cli");
  token = (await signIn(stage.server.url, "providers_cli-admin@example.org", "a long admin password")).token;
}, 90_000);
afterAll(async () => {
  await stage?.stop();
});

describe("polity services and chains", () => {
  it("configure services and chains, never printing a secret", async () => {
    const org = stage.orgId;
    const kinds = await json<{ kinds: Array<{ kind: string; secretFields: string[] }> }>("services", "kinds", "--org", org);
    expect(kinds.kinds.map((k) => k.kind)).toContain("sms");

    const config = JSON.stringify({ baseUrl: "https://sms.example.org", accountSid: "AC123", authToken: SECRET, from: "+15005550006" });
    const added = await polity("services", "add", "sms", "gateway", "--org", org, "--config", config);
    expect(added.code, added.err).toBe(EXIT.ok);
    expect(added.out).toContain("authToken");
    expect(added.out).toContain("/api/messaging/hooks/");
    expect(added.out).not.toContain(SECRET);
    const mail = await json<{ provider: { id: string } }>("services", "add", "email", "mail", "--org", org, "--config", JSON.stringify({ host: "smtp.example.org", from: "Polity <noreply@example.org>" }));

    const listed = await polity("services", "list", "--org", org);
    expect(listed.out).toMatch(/gateway[\s\S]*mail/);
    expect(listed.out).not.toContain(SECRET);
    const shown = await json<{ provider: { name: string; secretsSet: string[]; config: Record<string, unknown> } }>("services", "show", "gateway", "--org", org);
    expect(shown.provider.secretsSet).toEqual(["authToken"]);
    expect(JSON.stringify(shown)).not.toContain(SECRET);

    const updated = await json<{ provider: { ratePerSecond: number; enabled?: boolean } }>("services", "update", "gateway", "--org", org, "--rate", "5", "--disable");
    expect([updated.provider.ratePerSecond, updated.provider.enabled ?? false]).toEqual([5, false]);

    const chain = await json<{ chain: { providerIds: string[] } }>("chains", "set", "mail", "gateway", "--org", org, "--default");
    expect(chain.chain.providerIds[0]).toBe(mail.provider.id);
    expect((await polity("chains", "show", "--org", org, "--default")).out).toMatch(/1\. mail[\s\S]*2\. gateway/);
    expect((await polity("chains", "set", "gateway", "--org", org, "--category", "alerts")).code).toBe(EXIT.ok);
    expect((await json<{ chains: unknown[] }>("chains", "list", "--org", org)).chains).toHaveLength(2);
    expect((await polity("chains", "show", "--org", org)).code).toBe(EXIT.usage);

    const refused = await polity("--json", "services", "remove", "gateway", "--org", org);
    expect(refused.code).toBe(EXIT.server);
    expect(refused.err).toContain("PROVIDER_IN_CHAIN");
    expect((await polity("chains", "remove", "--org", org, "--default")).code).toBe(EXIT.ok);
    expect((await polity("chains", "remove", "--org", org, "--category", "alerts")).code).toBe(EXIT.ok);
    const removed = await polity("services", "remove", "gateway", "--org", org);
    expect(removed.code, removed.err).toBe(EXIT.ok);
    expect((await json<{ providers: unknown[] }>("services", "list", "--org", org)).providers).toHaveLength(1);
  }, 60_000);
});
