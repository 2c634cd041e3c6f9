import { createServer } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createEmailPort } from "./email.js";

function capture() {
  const lines: string[] = [];
  const logger = pino({ level: "trace" }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
  return { lines, logger, entries: () => lines.map((l) => JSON.parse(l) as { level: number; msg: string }) };
}

const message = { to: "ada@example.org", subject: "Verify", text: "open http://x/#/verify?token=abcdefghijklmnop" };

describe("email port without SMTP", () => {
  it("says once at start-up where emails go, then writes each as one labelled dev-mail line at warn level", async () => {
    const { logger, entries } = capture();
    const port = createEmailPort({ smtpFrom: "Polity <no-reply@localhost>" }, logger);
    await port.send(message);
    await port.send({ ...message, to: "bob@example.org" });
    const [notice, first, second] = entries();
    expect(entries()).toHaveLength(3);
    expect(notice).toMatchObject({ level: 40 });
    expect(notice.msg).toContain("no smtpUrl configured (dev mode)");
    expect(notice.msg).toContain("POLITY_SMTP_URL");
    expect(first).toMatchObject({ level: 40, devMail: true, to: "ada@example.org" });
    expect(first.msg).toContain("dev mail (no smtpUrl, not sent): to ada@example.org: Verify\nopen http://x/#/verify?token=abcdefghijklmnop");
    expect(second.msg).toContain("to bob@example.org:");
    // The token appears once per mail, not echoed in another field.
    expect(JSON.stringify(first).split("abcdefghijklmnop")).toHaveLength(2);
  });
});

/** Just enough SMTP to take one message: greets, says yes to everything, reads DATA up to the lone dot. */
function smtpSink(received: string[]) {
  return createServer((socket) => {
    let data = false;
    let buffer = "";
    socket.write("220 sink\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      if (data) {
        if (!buffer.includes("\r\n.\r\n")) return;
        received.push(buffer);
        data = false;
        buffer = "";
        socket.write("250 queued\r\n");
        return;
      }
      let end: number;
      while ((end = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, end).toUpperCase();
        buffer = buffer.slice(end + 2);
        if (line.startsWith("EHLO")) socket.write("250-sink\r\n250 8BITMIME\r\n");
        else if (line === "DATA") { data = true; socket.write("354 go\r\n"); }
        else if (line === "QUIT") socket.end("221 bye\r\n");
        else socket.write("250 ok\r\n");
      }
    });
  });
}

describe("email port with SMTP", () => {
  it("sends the message and logs only its recipient and subject", async () => {
    const received: string[] = [];
    const server = smtpSink(received);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { lines, logger } = capture();
    const mail = createEmailPort({ smtpUrl: `smtp://127.0.0.1:${(server.address() as { port: number }).port}`, smtpFrom: "Polity <no-reply@localhost>" }, logger);
    await mail.send(message);
    server.close();
    expect(received.join("")).toContain("abcdefghijklmnop");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: "email sent", to: "ada@example.org", subject: "Verify" });
    expect(lines.join("")).not.toContain("abcdefghijklmnop");
  });


  it("never logs the message text (its token), at any level, whether sending works or fails", async () => {
    // A server that accepts the connection and hangs up: the send fails quickly.
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const { lines, logger } = capture();
    const mail = createEmailPort({ smtpUrl: `smtp://127.0.0.1:${port}`, smtpFrom: "Polity <no-reply@localhost>" }, logger);
    await expect(mail.send(message)).rejects.toThrow();
    server.close();
    expect(lines.join("")).not.toContain("abcdefghijklmnop");
    expect(lines.join("")).not.toContain("dev mode");
  });
});
