// Outgoing email (verification, password reset). SMTP via nodemailer when configured; otherwise each message is
// logged in full at warn level so a developer can follow the link — never silently dropped.
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface EmailPort {
  send(message: EmailMessage): Promise<void>;
}
