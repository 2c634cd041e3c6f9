// A local SMTP server for tests (smtp-server on 127.0.0.1, a free port) that records every accepted message,
// parsed (mailparser) and raw, and can be told to refuse a recipient at RCPT TO, permanently (550 mailbox
// unavailable) or temporarily (451, as greylisting does), a given number of times or for ever.
//
//   const smtp = await startSmtpPeer();
//   config = { host: "127.0.0.1", port: smtp.port, secure: false, from: "Polity <noreply@example.org>" }
//   smtp.reject("gone@example.org", 550);           // every time
//   smtp.reject("busy@example.org", 451, 1);        // once, then accepted
//   smtp.messages[0].parsed.messageId, .headers.get("list-unsubscribe"), .html, .text
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpPeer {
  host: string;
  port: number;
  messages: ReceivedMail[];
  /** Recipients refused so far, with the code they were refused with. */
  refusals: Array<{ to: string; code: number }>;
  reject(address: string, code: 451 | 450 | 452 | 550 | 551 | 553, times?: number): void;
  /** Credentials to require (AUTH PLAIN/LOGIN); undefined: any client may send (the default). */
  requireAuth(credentials: { username: string; password: string } | undefined): void;
  /** Resolves with the first `count` mails once that many were accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpPeer(): Promise<SmtpPeer> {
  const messages: ReceivedMail[] = [];
  const refusals: Array<{ to: string; code: number }> = [];
  const rejections = new Map<string, { code: number; times: number }>();
  let credentials: { username: string; password: string } | undefined;
  const waiters: Array<() => void> = [];

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (credentials && auth.username === credentials.username && auth.password === credentials.password) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
    },
    onMailFrom(_address, session, callback) {
      if (credentials && !session.user) return callback(Object.assign(new Error("5.7.0 Authentication required"), { responseCode: 530 }));
      callback();
    },
    onRcptTo(address, _session, callback) {
      const to = address.address.toLowerCase();
      const rule = rejections.get(to);
      if (rule && rule.times > 0) {
        rule.times -= 1;
        refusals.push({ to, code: rule.code });
        const text = rule.code >= 500 ? `5.1.1 <${to}>: Recipient address rejected: mailbox unavailable` : `4.2.0 <${to}>: Recipient address rejected: greylisted, try again later`;
        return callback(Object.assign(new Error(text), { responseCode: rule.code }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        simpleParser(raw).then((parsed) => {
          messages.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), raw, parsed });
          waiters.splice(0).forEach((wake) => wake());
          callback();
        }, (error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    host: "127.0.0.1", port, messages, refusals,
    reject: (address, code, times = Number.POSITIVE_INFINITY) => void rejections.set(address.toLowerCase(), { code, times }),
    requireAuth: (required) => void (credentials = required),
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} mails, got ${messages.length}`);
        await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 100); });
      }
      return messages.slice(0, count);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
