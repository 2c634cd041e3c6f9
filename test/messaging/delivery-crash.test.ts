// A worker killed with SIGKILL in the middle of a send: the API server runs no worker; worker process A takes the
// message and is killed while the SMTP server holds its DATA; once the job expires, worker process B sends the
// message again with the SAME idempotency key (the email provider's Message-ID is derived from it), so the
// receiving side sees one distinct message id, and the message ends SENT with the interrupted attempt recorded.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, MessageState } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { SendAttempt_Outcome } from "../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { startProcessServer, type TestServer } from "../support/server.js";
import { startMessagesStage, until, type MessagesStage } from "./messages-stage.js";

interface StallingSmtp {
  port: number;
  /** Message-IDs of every DATA received, in order (held or accepted). */
  dataIds: string[];
  close(): Promise<void>;
}

/** An SMTP server that holds the first message's DATA for ever (the sender is to die waiting) and accepts the rest. */
async function startStallingSmtp(): Promise<StallingSmtp> {
  const dataIds: string[] = [];
  const server = new SMTPServer({
    secure: false, disabledCommands: ["STARTTLS"], authOptional: true, logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const id = /^Message-ID:\s*(<[^>]+>)/im.exec(Buffer.concat(chunks).toString("utf8"))?.[1] ?? "";
        dataIds.push(id);
        if (dataIds.length > 1) callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    dataIds,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let stage: MessagesStage;
let smtp: StallingSmtp;
const workers: Array<TestServer> = [];
const key = randomBytes(32).toString("base64");
const workerEnv = () => ({
  DATABASE_URL: stage.database.url, POLITY_SECRETS_KEY: key, POLITY_OUTBOUND_ALLOW_PRIVATE: "true", POLITY_PUBLIC_URL: "http://polity.example",
  POLITY_JOB_EXPIRE_SECONDS: "10", POLITY_JOB_POLL_INTERVAL_MS: "500", POLITY_MESSAGING_SEND_TIMEOUT_MS: "3000",
});

beforeAll(async () => {
  smtp = await startStallingSmtp();
  stage = await startMessagesStage("msgcrash", { POLITY_SECRETS_KEY: key, POLITY_TIERS: "sys,mod" });
}, 60_000);
afterAll(async () => {
  for (const w of workers) await w.stop().catch(() => undefined);
  await stage?.stop();
  await smtp?.close();
});

describe("a worker killed mid-send", () => {
  it("leaves the message to another worker, which sends it again with the same idempotency key", async () => {
    const { provider } = await stage.providers.createProvider({
      orgId: stage.orgId, kind: "email", name: "stalling-smtp",
      config: { host: "127.0.0.1", port: smtp.port, secure: false, from: "Polity <noreply@polity.example>", timeoutSeconds: 30 },
    });
    const { contact } = await stage.contacts.createContact({
      orgId: stage.orgId, contact: { name: "Kim Killed", addresses: [{ channel: Channel.EMAIL, address: "kim@example.org", consent: { granted: true, source: "test" } }] },
    });
    await stage.chain("contact", contact!.id, [provider!.id]);

    const a = await startProcessServer(["--tiers", "worker", "--sys-url", stage.server.url], workerEnv()) as TestServer & { child: import("node:child_process").ChildProcess };
    workers.push(a);
    const { message } = await stage.messages.sendMessage({ orgId: stage.orgId, recipient: { recipient: { case: "contactId", value: contact!.id } }, content: { case: "message", value: { text: "survive", subject: "Crash" } } });
    const id = message!.id;
    await until(async () => smtp.dataIds.length, (n) => n >= 1, 30_000);
    a.child.kill("SIGKILL");
    expect((await stage.messages.getMessage({ orgId: stage.orgId, messageId: id })).message!.state).toBe(MessageState.SENDING);

    workers.push(await startProcessServer(["--tiers", "worker", "--sys-url", stage.server.url], workerEnv()));
    const got = await until(() => stage.messages.getMessage({ orgId: stage.orgId, messageId: id }), (r) => r.message!.state === MessageState.SENT, 60_000).catch(async (error: unknown) => {
      const jobs = await stage.sql.query(`select state, retry_count, start_after, started_on, completed_on, data, output from pgboss.job where name = 'messaging.send' order by created_on`);
      console.error(JSON.stringify(jobs.rows), workers[1]!.logs.join("").slice(-4000));
      throw error;
    });

    expect(smtp.dataIds).toHaveLength(2);
    expect(new Set(smtp.dataIds).size).toBe(1);
    expect(got.message!.providerMessageId).toBe(smtp.dataIds[0]);
    expect(got.attempts.map((x) => [x.attempt, x.outcome])).toEqual([[1, SendAttempt_Outcome.TRANSIENT], [2, SendAttempt_Outcome.SENT]]);
    expect(got.attempts[0]!.reason).toMatch(/interrupted/);
  }, 120_000);
});
