// polity password reset: a forgotten password in two steps, as in the web GUI. First `--email` asks the server
// to email a reset link; then `--token` (the token or the whole emailed link) sets the new password.
import type { Command } from "commander";
import { RequestPasswordResetResponseSchema, ResetPasswordResponseSchema } from "../../gen/polity/sys/auth/v1/auth_pb.js";
import { UsageError } from "../exit.js";
import { action } from "../session.js";
import { askPassword } from "./ask.js";
import type { Io } from "../io.js";

interface ResetOptions {
  email?: string;
  token?: string;
  passwordStdin?: boolean;
}

/** The token from a pasted link (`…/#/reset?token=…`) or the bare token as given. */
export function resetTokenOf(given: string): string {
  const match = /[?&]token=([^&\s]+)/.exec(given);
  return decodeURIComponent(match ? match[1] : given.trim());
}

export function register(program: Command, io: Io): void {
  const password = program.command("password").description("recover a forgotten password");
  password
    .command("reset")
    .description("step 1: --email sends a reset link to that address; step 2: --token <token or link> sets a new password")
    .option("--email <email>", "the email address of the account: a reset link is emailed to it")
    .option("--token <token>", "the token from the emailed link, or the whole link")
    .option("--password-stdin", "read the new password from stdin (for scripts)")
    .addHelpText("after", "\nExamples:\n  polity password reset --email ada@example.org\n  polity password reset --token 'http://localhost:8080/#/reset?token=…'\n")
    .action(action(io, async (s, o: ResetOptions) => {
      if (Boolean(o.email) === Boolean(o.token)) throw new UsageError("give either --email (to be sent a reset link) or --token (to set the new password)");
      if (o.email) {
        const res = await s.client.auth.requestPasswordReset({ email: o.email });
        // The server answers the same for unknown addresses, so this cannot say more.
        s.emit(RequestPasswordResetResponseSchema, res, () => s.io.stderr(
          `if ${o.email} belongs to an account on ${s.server}, a reset link is on its way (valid for one hour).\n` +
          "then run: polity password reset --token '<the link or its token>'\n"));
        return;
      }
      const token = resetTokenOf(o.token!);
      const newPassword = await askPassword(s.io, o.passwordStdin, true);
      const res = await s.client.auth.resetPassword({ token, newPassword });
      s.emit(ResetPasswordResponseSchema, res, () => s.io.stderr(
        "password changed; every session of the account was signed out. Log in again: polity login\n"));
    }));
}
