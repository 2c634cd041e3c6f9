// Outgoing email: SMTP through nodemailer when configured. Without it (a developer's machine, a first try) each
// message is written to the log as one "dev mail" line at warn level, link included, so nobody is stuck waiting
// for an email that cannot come; start-up says so once. With SMTP a message's text (and so its token) is never
// logged: only its recipient and subject.
import type { Logger } from "pino";
import type { Config } from "../core/config.js";
import type { EmailPort } from "../core/ports/email-port.js";
import { lazyModule } from "../core/lazy-module.js";

const nodemailer = lazyModule<typeof import("nodemailer")>("nodemailer");

export function createEmailPort(config: Pick<Config, "smtpUrl" | "smtpFrom">, logger: Logger): EmailPort {
  if (!config.smtpUrl) {
    logger.warn("no smtpUrl configured (dev mode): verification, password-reset and invitation emails are not sent; " +
      "each is written to this log as a \"dev mail\" line with its link. Set POLITY_SMTP_URL to send them");
    return {
      async send(message) {
        logger.warn({ devMail: true, to: message.to, subject: message.subject }, `dev mail (no smtpUrl, not sent): to ${message.to}: ${message.subject}\n${message.text}`);
      },
    };
  }
  const transport = nodemailer().createTransport(config.smtpUrl);
  return {
    async send(message) {
      await transport.sendMail({ from: config.smtpFrom, to: message.to, subject: message.subject, text: message.text });
      logger.info({ to: message.to, subject: message.subject }, "email sent");
    },
  };
}
