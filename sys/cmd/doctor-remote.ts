// `polityd doctor`'s checks of what this process talks to over the network: sys (for a process without the sys
// tier: ready, its public keys, its clock) and the SMTP server (connect, EHLO and, with credentials, sign-in).
import type { Config } from "../core/config.js";
import { lazyModule } from "../core/lazy-module.js";
import { clockResult } from "./doctor-clock.js";
import { type CheckResult, failed, ok, reasonOf, warn } from "./doctor-report.js";

const nodemailer = lazyModule<typeof import("nodemailer")>("nodemailer");

const TIMEOUT_MS = 5_000;

export async function checkSys(sysUrl: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const sent = Date.now();
  let ready: Response;
  try {
    ready = await fetch(new URL("/readyz", sysUrl), { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    return [failed("sys", `cannot reach sys at ${sysUrl} (POLITY_SYS_URL): ${reasonOf(error)}`)];
  }
  const received = Date.now();
  const body = (await ready.text().catch(() => "")).trim().slice(0, 200);
  if (ready.status === 200) results.push(ok("sys", `ready at ${sysUrl}`));
  else results.push(failed("sys", `${sysUrl}/readyz answered ${ready.status}${body ? ` (${body.split("\n", 1)[0]})` : ""}: sys is not ready, or this is not a Polity server`));
  const date = ready.headers.get("date");
  // An HTTP Date is cut to the second: on average it reads half a second early.
  if (date && !Number.isNaN(Date.parse(date))) results.push(clockResult("clock vs sys", Date.parse(date) + 500 - (sent + received) / 2, received - sent, 500));
  else results.push(warn("clock vs sys", "not measured: sys sent no Date header"));
  results.push(await checkJwks(sysUrl));
  return results;
}

async function checkJwks(sysUrl: string): Promise<CheckResult> {
  const name = "sys public keys";
  const url = new URL("/.well-known/jwks.json", sysUrl);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (res.status !== 200) return failed(name, `${url} answered ${res.status}: tokens cannot be verified here`);
    const jwks = (await res.json()) as { keys?: unknown };
    if (!Array.isArray(jwks.keys)) return failed(name, `${url} is not a key set (no "keys" list)`);
    if (jwks.keys.length === 0) return failed(name, `${url} publishes no keys: sys has no signing key yet`);
    return ok(name, `${jwks.keys.length} published at ${url}`);
  } catch (error) {
    return failed(name, `cannot read ${url}: ${reasonOf(error)}`);
  }
}

/** The SMTP server that sends sys's emails (verification, password reset, invitations). */
export async function checkMail(config: Config): Promise<CheckResult> {
  if (!config.smtpUrl) return warn("mail", "not configured (POLITY_SMTP_URL): emails are written to the log instead of sent");
  const where = smtpWhere(config.smtpUrl);
  const transport = nodemailer().createTransport({ url: config.smtpUrl, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS });
  try {
    await transport.verify();
    return ok("mail", `SMTP server ${where} accepts connections${new URL(config.smtpUrl).username ? " and the credentials" : ""}`);
  } catch (error) {
    return failed("mail", `SMTP server ${where}: ${reasonOf(error)}`);
  } finally {
    transport.close();
  }
}

function smtpWhere(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ""}`;
  } catch {
    return "(an unparsable POLITY_SMTP_URL)";
  }
}
