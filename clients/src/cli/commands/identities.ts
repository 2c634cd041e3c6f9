// polity identities list | link github | unlink: the caller's accounts on other platforms. Linking GitHub is
// GitHub's OAuth web flow with a person in the middle: the server hands out GitHub's authorize URL (its state is
// bound to this account, single-use and short-lived), the person opens it in a browser, and GitHub sends the
// browser back to the server's callback address carrying code and state; those two complete the link, given as
// flags, as the pasted address, or typed at the prompt in a terminal.
import type { Command } from "commander";
import {
  CompleteGitHubLinkResponseSchema, IdentityService, LinkQuality, LinkType, ListIdentitiesResponseSchema, StartGitHubLinkResponseSchema,
  type Identity,
} from "../../gen/polity/sys/identity/v1/identity_pb.js";
import { createClient, type Client } from "@connectrpc/connect";
import { action, type Session } from "../session.js";
import { printTable, tableTime, time } from "../output.js";
import { pick } from "../resolve.js";
import { UsageError } from "../exit.js";
import type { Io } from "../io.js";

type Identities = Client<typeof IdentityService>;

const clients = new WeakMap<Session, Identities>();
function identities(s: Session): Identities {
  let client = clients.get(s);
  if (!client) clients.set(s, (client = createClient(IdentityService, s.client.transport)));
  return client;
}

const LINK_TYPES: Record<number, string> = { [LinkType.OAUTH]: "oauth", [LinkType.ADMIN]: "admin", [LinkType.EMAIL]: "email" };
const QUALITIES: Record<number, string> = { [LinkQuality.CONFIRMED_STRONG]: "confirmed_strong", [LinkQuality.CONFIRMED_WEAK]: "confirmed_weak", [LinkQuality.UNCONFIRMED]: "unconfirmed" };
const refOf = (x: Identity) => `${x.platform}:${x.platformUserId}`;

/**
 * Code and state from what the browser showed after GitHub's redirect: the callback address itself
 * ("…/link-github?code=…&state=…"), the web GUI's route it becomes ("…/#/link/github?code=…"), or its sign-in
 * page that returns there ("…/#/login?next=%2Flink%2Fgithub%3Fcode…"). An `error` there is GitHub's refusal.
 */
export function callbackParams(address: string): { code: string; state: string } {
  let url: URL;
  try {
    url = new URL(address.trim());
  } catch {
    throw new UsageError(`"${address}" is not an address; paste the whole address the browser showed after GitHub sent it back`);
  }
  const hashQuery = url.hash.includes("?") ? url.hash.slice(url.hash.indexOf("?") + 1) : "";
  const places = [url.searchParams, new URLSearchParams(hashQuery)];
  const next = places[1].get("next");
  if (next?.includes("?")) places.push(new URLSearchParams(next.slice(next.indexOf("?") + 1)));
  const found = (name: string) => places.map((p) => p.get(name)).find((v) => v) ?? "";
  const denied = found("error");
  if (denied) throw new UsageError(`GitHub did not authorize the link (${denied}); run \`polity identities link github\` to start again`);
  const code = found("code");
  const state = found("state");
  if (!code || !state) throw new UsageError("that address carries no code and state from GitHub; paste the address the browser showed after GitHub sent it back");
  return { code, state };
}

async function complete(s: Session, params: { code: string; state: string }): Promise<void> {
  const res = await identities(s).completeGitHubLink(params);
  s.emit(CompleteGitHubLinkResponseSchema, res, () => s.io.stdout(`linked GitHub account ${res.identity?.platformUsername} (id ${res.identity?.platformUserId})\n`));
}

export function register(program: Command, io: Io): void {
  const cmd = program.command("identities").description("list, link or unlink your accounts on other platforms (GitHub…)");

  cmd
    .command("list")
    .description("list the accounts on other platforms linked to yours")
    .action(action(io, async (s) => {
      const { accountId } = await s.client.auth.whoAmI({});
      const res = await identities(s).listIdentities({ accountId });
      s.emit(ListIdentitiesResponseSchema, res, () =>
        printTable(s.io, ["ID", "PLATFORM", "USERNAME", "TYPE", "QUALITY", "LINKED (UTC)"],
          res.identities.map((x) => [refOf(x), x.platform, x.platformUsername, LINK_TYPES[x.linkType] ?? "", QUALITIES[x.linkQuality] ?? "", tableTime(x.linkedAt)])));
    }));

  cmd
    .command("link")
    .description("link your GitHub account: prints GitHub's authorize address; complete with the address it sends you back to")
    .argument("<platform>", "the platform; only github is linked this way")
    .option("--callback <address>", "the address the browser showed after GitHub sent it back (completes the link)")
    .option("--code <code>", "the code GitHub sent back (with --state)")
    .option("--state <state>", "the state GitHub sent back (with --code)")
    .action(action(io, async (s, platform: string, o: { callback?: string; code?: string; state?: string }) => {
      if (platform !== "github") throw new UsageError(`only github accounts are linked by proving them; ask an admin to link a ${platform} account`);
      if (o.callback && (o.code || o.state)) throw new UsageError("give --callback or --code with --state, not both");
      if (o.callback) return complete(s, callbackParams(o.callback));
      if (o.code || o.state) {
        if (!o.code || !o.state) throw new UsageError("--code and --state go together: both are in the address GitHub sent you back to");
        return complete(s, { code: o.code, state: o.state });
      }
      const started = await identities(s).startGitHubLink({});
      s.emit(StartGitHubLinkResponseSchema, started, () => s.io.stdout(`${started.authorizeUrl}\n`));
      if (s.json) return;
      s.io.stderr(
        `Open the address above in a browser and authorize Polity on GitHub (before ${time(started.expiresAt)}).\n` +
        "GitHub then sends the browser back to this server. If its web page says the account is linked, you are done;\n" +
        "otherwise paste the address the browser shows" + (s.io.interactive ? " here.\n" : ":\n  polity identities link github --callback '<address>'\n"),
      );
      if (!s.io.interactive) return;
      const pasted = await s.io.prompt("Address GitHub sent you back to: ");
      if (pasted) await complete(s, callbackParams(pasted));
    }));

  cmd
    .command("unlink <identity>")
    .description("unlink one of your linked accounts: its ID from `polity identities list` (github:12345), or platform:username, or the username")
    .action(action(io, async (s, ref: string) => {
      const { accountId } = await s.client.auth.whoAmI({});
      const linked = (await identities(s).listIdentities({ accountId })).identities;
      const candidates = linked.map((x) => ({ id: refOf(x), names: [`${x.platform}:${x.platformUsername}`, x.platformUsername, x.platformUserId], label: `${x.platform} ${x.platformUsername}` }));
      const id = pick("linked account", ref, candidates, "polity identities list", "its ID, platform:username or username");
      const chosen = linked.find((x) => refOf(x) === id)!;
      await identities(s).unlinkIdentity({ accountId, platform: chosen.platform, platformUserId: chosen.platformUserId });
      if (!s.json) s.io.stderr(`unlinked ${chosen.platform} account ${chosen.platformUsername || chosen.platformUserId}\n`);
    }));
}
