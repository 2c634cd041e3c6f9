// Signing people up the way a person does: register, follow the emailed verification link (read from the
// server's log, since tests run without SMTP), sign in.
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { clientFor } from "./clients.js";

export interface Person {
  accountId: string;
  email: string;
  token: string;
}

export async function verificationTokenFor(logs: string[], email: string, timeoutMs = 10000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const line of logs.join("").split("\n").reverse()) {
      if (!line.includes(`to ${email}:`)) continue;
      const match = /verify\?token=([A-Za-z0-9_-]+)/.exec(line);
      if (match) return match[1];
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no verification email for ${email} in the server log`);
}

export async function signUpVerified(url: string, logs: string[], email: string, password = "a long enough password"): Promise<Person> {
  const auth = clientFor(AuthService, url);
  const registered = await auth.register({ email, password, displayName: email.split("@")[0] });
  await auth.verifyEmail({ token: await verificationTokenFor(logs, email) });
  const login = await auth.login({ email, password });
  return { accountId: registered.accountId, email, token: login.tokens!.accessToken };
}

export async function signIn(url: string, email: string, password: string): Promise<Person> {
  const login = await clientFor(AuthService, url).login({ email, password });
  return { accountId: login.tokens!.accountId, email, token: login.tokens!.accessToken };
}
