// Email and password input: flags and stdin for scripts, prompts for people, a usage error otherwise.
import { UsageError } from "../exit.js";
import type { Io } from "../io.js";

export async function askEmail(io: Io, given: string | undefined): Promise<string> {
  if (given) return given;
  if (!io.interactive) throw new UsageError("--email is required when not running in a terminal");
  const email = await io.prompt("Email: ");
  if (!email) throw new UsageError("an email is required");
  return email;
}

export async function askPassword(io: Io, fromStdin: boolean | undefined, confirm = false): Promise<string> {
  if (fromStdin) {
    // Only the trailing newline is dropped: spaces inside or around a password are part of it.
    const password = (await io.readStdin()).replace(/\r?\n$/, "");
    if (!password) throw new UsageError("no password on stdin");
    return password;
  }
  if (!io.interactive) throw new UsageError("use --password-stdin when not running in a terminal");
  const password = await io.prompt("Password: ", { hidden: true });
  if (confirm && (await io.prompt("Repeat password: ", { hidden: true })) !== password) {
    throw new UsageError("the passwords do not match");
  }
  return password;
}
