// polity login | logout | register | setup: obtain tokens and keep them for this server.
import type { Command } from "commander";
import { fromTokenPair } from "../../tokens.js";
import type { TokenPair } from "../../gen/polity/sys/auth/v1/auth_pb.js";
import { LoginResponseSchema, RegisterResponseSchema, ClaimSetupResponseSchema } from "../../gen/polity/sys/auth/v1/auth_pb.js";
import { action, type Session } from "../session.js";
import { askEmail, askPassword } from "./ask.js";
import type { Io } from "../io.js";

interface Creds {
  email?: string;
  passwordStdin?: boolean;
}

export function register(program: Command, io: Io): void {
  program
    .command("login")
    .description("log in with email and password and remember the session for this server")
    .option("--email <email>", "account email (prompted when interactive)")
    .option("--password-stdin", "read the password from stdin (for scripts)")
    .action(action(io, async (s, o: Creds) => {
      const email = await askEmail(s.io, o.email);
      const password = await askPassword(s.io, o.passwordStdin);
      const res = await s.client.auth.login({ email, password, clientName: "polity-cli" });
      remember(s, res.tokens);
      s.emit(LoginResponseSchema, res, () => s.io.stderr(`logged in to ${s.server} as ${email}\n`));
    }));

  program
    .command("logout")
    .description("end the session on the server and forget its tokens")
    .action(action(io, async (s) => {
      const refreshToken = s.store.get(s.server)?.refreshToken;
      try {
        if (refreshToken) await s.client.auth.logout({ refreshToken });
      } finally {
        // Forget the tokens even if the server is gone: a local logout must always succeed.
        s.store.remove(s.server);
      }
      if (!s.json) s.io.stderr(`logged out of ${s.server}\n`);
    }));

  program
    .command("register")
    .description("create a person account and log in")
    .option("--email <email>", "account email (prompted when interactive)")
    .requiredOption("--name <display name>", "display name")
    .option("--password-stdin", "read the password from stdin (for scripts)")
    .action(action(io, async (s, o: Creds & { name: string }) => {
      const email = await askEmail(s.io, o.email);
      const password = await askPassword(s.io, o.passwordStdin, true);
      const res = await s.client.auth.register({ email, password, displayName: o.name });
      remember(s, res.tokens);
      s.emit(RegisterResponseSchema, res, () => s.io.stderr(`registered ${email} (${res.accountId}); check your email to verify it\n`));
    }));

  program
    .command("setup")
    .description("claim a fresh server with its one-time setup token and become its superadmin")
    .requiredOption("--token <setup token>", "the setup token printed by polityd on first start")
    .option("--email <email>", "superadmin email (prompted when interactive)")
    .requiredOption("--name <display name>", "display name")
    .option("--password-stdin", "read the password from stdin (for scripts)")
    .action(action(io, async (s, o: Creds & { token: string; name: string }) => {
      const email = await askEmail(s.io, o.email);
      const password = await askPassword(s.io, o.passwordStdin, true);
      const res = await s.client.auth.claimSetup({ setupToken: o.token, email, password, displayName: o.name });
      remember(s, res.tokens);
      s.emit(ClaimSetupResponseSchema, res, () => s.io.stderr(`${s.server} is set up; logged in as ${email}\n`));
    }));
}

function remember(s: Session, pair: TokenPair | undefined): void {
  if (pair?.accessToken) s.store.put(s.server, fromTokenPair(pair));
}
