import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createEmailPort } from "./email.js";

describe("email port without SMTP", () => {
  it("logs the whole message at warn level instead of dropping it", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    await createEmailPort({ smtpFrom: "Polity <no-reply@localhost>" }, logger).send({ to: "ada@example.org", subject: "Verify", text: "open http://x/#/verify?token=abc" });
    const entry = JSON.parse(lines[0]!);
    expect(entry.level).toBe(40);
    expect(entry.msg).toContain("http://x/#/verify?token=abc");
    expect(entry.email).toEqual({ to: "ada@example.org", subject: "Verify", text: "open http://x/#/verify?token=abc" });
  });
});
