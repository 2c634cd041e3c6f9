// Outgoing email: SMTP through nodemailer when configured, otherwise the whole message is logged at warn level
// so a developer (or an operator without SMTP) can still follow the link. Nothing is silently dropped.
import nodemailer from "nodemailer";
import type { Logger } from "pino";
import type { Config } from "../core/config.js";
import type { EmailPort } from "../core/ports/email-port.js";

export function createEmailPort(config: Pick<Config, "smtpUrl" | "smtpFrom">, logger: Logger): EmailPort {
  if (!config.smtpUrl) {
    return {
      async send(message) {
        logger.warn({ email: message }, `email not sent (no smtpUrl configured): to ${message.to}: ${message.subject}\n${message.text}`);
      },
    };
  }
  const transport = nodemailer.createTransport(config.smtpUrl);
  return {
    async send(message) {
      await transport.sendMail({ from: config.smtpFrom, to: message.to, subject: message.subject, text: message.text });
      logger.info({ to: message.to, subject: message.subject }, "email sent");
    },
  };
}
