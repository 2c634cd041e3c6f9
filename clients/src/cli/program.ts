// The polity command tree. runCli never calls process.exit, so tests can run it in-process.
import { Command, Option } from "commander";
import { describeError, EXIT } from "./exit.js";
import { int } from "./args.js";
import type { Io } from "./io.js";
import * as login from "./commands/login.js";
import * as password from "./commands/password.js";
import * as whoami from "./commands/whoami.js";
import * as accounts from "./commands/accounts.js";
import * as orgs from "./commands/orgs.js";
import * as projects from "./commands/projects.js";
import * as roles from "./commands/roles.js";
import * as serviceAccounts from "./commands/service-accounts.js";
import * as auditLog from "./commands/audit-log.js";
import * as sessions from "./commands/sessions.js";
import * as tally from "./commands/tally.js";
import * as audit from "./commands/audit.js";
import * as communities from "./commands/communities.js";
import * as members from "./commands/members.js";
import * as polls from "./commands/polls.js";
import * as vote from "./commands/vote.js";
import * as delegate from "./commands/delegate.js";
import * as results from "./commands/results.js";
import * as activity from "./commands/activity.js";
import * as governancePlugins from "./commands/governance-plugins.js";
import * as governanceActions from "./commands/governance-actions.js";
import * as governanceProcesses from "./commands/governance-processes.js";
import * as governanceEvents from "./commands/governance-events.js";
import * as governanceDeliveries from "./commands/governance-deliveries.js";
import * as contributions from "./commands/contributions.js";
import * as identities from "./commands/identities.js";
import * as contacts from "./commands/contacts.js";
import * as services from "./commands/services.js";
import * as chains from "./commands/chains.js";
import * as templates from "./commands/templates.js";
import * as blasts from "./commands/blasts.js";
import * as notifications from "./commands/notifications.js";
import * as messages from "./commands/messages.js";
import * as disco from "./commands/disco.js";
import * as time from "./commands/time.js";
import * as places from "./commands/places.js";

export const DEFAULT_SERVER = "http://127.0.0.1:8080";

const EXIT_HELP = `
Exit codes: ${EXIT.ok} ok, ${EXIT.server} server error, ${EXIT.usage} usage error, ${EXIT.unreachable} server unreachable, ${EXIT.unauthenticated} not logged in.
Errors are printed in plain words with the next step; with --json, as one JSON object on stderr
with the gRPC code and reason.
Names: wherever an id is asked for, a slug (orgs, communities), an email (members, accounts),
a poll's exact title or a unique id prefix (the 8 characters tables show) does as well.
Environment: POLITY_SERVER (default server); POLITY_API_KEY or POLITY_TOKEN instead of a login.`;

export function buildProgram(io: Io): Command {
  const program = new Command("polity")
    .description("command-line client of a Polity server")
    .version("0.1.0")
    // Settings that subcommands inherit must come before any .command() call.
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError("(add --help for usage)")
    .addOption(new Option("--server <url>", "server URL (env POLITY_SERVER)").default(io.env.POLITY_SERVER || DEFAULT_SERVER))
    .addOption(new Option("--protocol <protocol>", "wire protocol").choices(["grpc", "connect", "grpc-web"]).default("grpc"))
    .addOption(new Option("--timeout <ms>", "deadline of each call in milliseconds").argParser(int))
    .option("--json", "print protobuf JSON instead of tables", false)
    .addHelpText("after", EXIT_HELP);
  for (const mod of [login, password, whoami, accounts, orgs, projects, roles, serviceAccounts, auditLog, sessions, tally, audit]) mod.register(program, io);
  for (const mod of [communities, members, polls, vote, delegate, results, activity]) mod.register(program, io);
  for (const mod of [governancePlugins, governanceActions, governanceProcesses, governanceEvents, governanceDeliveries]) mod.register(program, io);
  contributions.register(program, io);
  identities.register(program, io);
  for (const mod of [contacts, messages, services, chains, templates, blasts, notifications]) mod.register(program, io);
  disco.register(program, io);
  time.register(program, io);
  places.register(program, io);
  return program;
}

/** --json is a global flag, so it may stand anywhere before a bare `--`. */
function jsonRequested(argv: string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}

/** Runs one invocation; resolves to the process exit code. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (err) {
    const { code, text } = describeError(err, { json: jsonRequested(argv) });
    if (text) io.stderr(text);
    return code;
  }
}
