// One written form per address, so the same person typed twice is one address: lower-case email domains
// (IDN in ASCII), E.164 phone numbers, integer chat ids, canonical https URLs, upper-case Slack ids.
import { domainToASCII } from "node:url";
import { Code } from "@connectrpc/connect";
import type { CountryCode } from "libphonenumber-js/max";
import { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { apiError } from "../../../sys/core/errors.js";
import { lazyModule } from "../../../sys/core/lazy-module.js";

const phoneNumbers = lazyModule<typeof import("libphonenumber-js/max")>("libphonenumber-js/max");

export interface AddressOptions {
  /** ISO 3166 region national phone numbers are read in; without one a number must start with +. */
  defaultRegion?: string;
  /** Whether an http:// webhook on a loopback host is allowed (config.outboundAllowPrivate). */
  allowLoopbackHttp?: boolean;
}

export const CHANNEL_NAMES: Record<Channel, string> = {
  [Channel.UNSPECIFIED]: "unspecified",
  [Channel.EMAIL]: "email",
  [Channel.SMS]: "sms",
  [Channel.TELEGRAM]: "telegram",
  [Channel.WEBHOOK]: "webhook",
  [Channel.SLACK]: "slack",
  [Channel.DISCORD]: "discord",
};

export const ADDRESS_CHANNELS = [Channel.EMAIL, Channel.SMS, Channel.TELEGRAM, Channel.WEBHOOK, Channel.SLACK, Channel.DISCORD];

export function invalidAddress(channel: Channel, raw: string, why: string) {
  const shown = raw.length > 100 ? `${raw.slice(0, 100)}…` : raw;
  return apiError(Code.InvalidArgument, "INVALID_ADDRESS", `${CHANNEL_NAMES[channel] ?? "unknown"} address ${JSON.stringify(shown)}: ${why}`, {
    channel: CHANNEL_NAMES[channel] ?? String(channel),
    address: shown,
  });
}

/** The address in its one written form; throws InvalidArgument INVALID_ADDRESS saying which and why. */
export function normaliseAddress(channel: Channel, raw: string, options: AddressOptions = {}): string {
  const text = raw.trim();
  if (!text) throw invalidAddress(channel, raw, "empty");
  if (text.length > 2000) throw invalidAddress(channel, raw, "longer than 2000 characters");
  switch (channel) {
    case Channel.EMAIL:
      return email(text);
    case Channel.SMS:
      return phone(text, options.defaultRegion);
    case Channel.TELEGRAM:
      return telegram(text);
    case Channel.WEBHOOK:
      return webhook(text, options.allowLoopbackHttp ?? false);
    case Channel.SLACK:
      return slack(text);
    case Channel.DISCORD:
      return discord(text);
    default:
      throw invalidAddress(channel, raw, "not a channel contacts can be reached on");
  }
}

// WHATWG's "valid e-mail address" local part; the domain is checked label by label after IDN conversion.
const LOCAL_PART = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function email(text: string): string {
  const at = text.lastIndexOf("@");
  if (at <= 0 || at === text.length - 1) throw invalidAddress(Channel.EMAIL, text, "not of the form name@domain");
  const local = text.slice(0, at);
  if (!LOCAL_PART.test(local) || local.startsWith(".") || local.endsWith(".") || local.includes("..")) {
    throw invalidAddress(Channel.EMAIL, text, "the part before @ has characters an address cannot have");
  }
  const domain = domainToASCII(text.slice(at + 1).toLowerCase());
  const labels = domain.split(".");
  if (!domain || labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l)) || /^\d+$/.test(labels.at(-1)!)) {
    throw invalidAddress(Channel.EMAIL, text, "the domain is not a valid host name");
  }
  const address = `${local}@${domain}`;
  if (address.length > 254) throw invalidAddress(Channel.EMAIL, text, "longer than 254 characters");
  return address;
}

function phone(text: string, defaultRegion: string | undefined): string {
  const international = text.startsWith("+") || text.startsWith("00");
  if (!international && !defaultRegion) {
    throw invalidAddress(Channel.SMS, text, "a national number needs the contact's default region; or write it with + and the country code");
  }
  const input = text.startsWith("00") ? `+${text.slice(2)}` : text;
  const region = defaultRegion ? (defaultRegion.toUpperCase() as CountryCode) : undefined;
  let parsed;
  try {
    parsed = phoneNumbers().parsePhoneNumberFromString(input, region ? { defaultCountry: region } : undefined);
  } catch {
    parsed = undefined;
  }
  if (!parsed) throw invalidAddress(Channel.SMS, text, "not a phone number");
  if (!parsed.isValid()) throw invalidAddress(Channel.SMS, text, `not a valid phone number${region && !international ? ` in region ${region}` : ""}`);
  return parsed.number;
}

const INT64_MAX = 2n ** 63n - 1n;

function telegram(text: string): string {
  if (!/^-?\d{1,19}$/.test(text)) throw invalidAddress(Channel.TELEGRAM, text, "a Telegram chat id is an integer (negative for groups and channels)");
  const id = BigInt(text);
  if (id === 0n || id > INT64_MAX || id < -INT64_MAX) throw invalidAddress(Channel.TELEGRAM, text, "not a Telegram chat id");
  return id.toString();
}

function webhook(text: string, allowLoopbackHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidAddress(Channel.WEBHOOK, text, "not a URL");
  }
  if (url.username || url.password) throw invalidAddress(Channel.WEBHOOK, text, "credentials in the URL are not allowed");
  if (url.protocol === "https:") return url.href;
  if (url.protocol === "http:" && allowLoopbackHttp && isLoopback(url.hostname)) return url.href;
  throw invalidAddress(Channel.WEBHOOK, text, allowLoopbackHttp ? "must be https (http only on a loopback host)" : "must be https");
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

// Users (U…, W… on Enterprise Grid), public and private channels (C…, G…) and direct messages (D…).
function slack(text: string): string {
  const id = text.toUpperCase();
  if (!/^[UWCGD][A-Z0-9]{6,20}$/.test(id)) throw invalidAddress(Channel.SLACK, text, "not a Slack user or channel id (U…, W…, C…, G…, D…)");
  return id;
}

// Discord snowflakes: 17 to 20 digits.
function discord(text: string): string {
  if (!/^\d{17,20}$/.test(text)) throw invalidAddress(Channel.DISCORD, text, "not a Discord user or channel id (a snowflake of 17–20 digits)");
  return text;
}
