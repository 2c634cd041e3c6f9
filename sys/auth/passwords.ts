// Password hashing (scrypt from node:crypto, no native addon) and the policy beyond the proto's length rule.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { invalidArgument } from "../core/errors.js";

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

// scrypt needs 128·N·r bytes; Node's default maxmem (32 MiB) is exactly that for N=2^15, r=8, so leave headroom.
const maxmemOf = (n: number, r: number) => 256 * n * r;

// At most this many scrypt runs at once in the process (CPU and 32 MiB each are process-wide, so this is the one
// module-level state here), and sign-in checks go ahead of hashing new passwords: a flood of registrations,
// even from many addresses, queues behind itself instead of starving people signing in.
const MAX_PARALLEL = 2;
let running = 0;
const waiting: Record<"signIn" | "newPassword", Array<() => void>> = { signIn: [], newPassword: [] };

export async function inTurn<T>(lane: "signIn" | "newPassword", work: () => Promise<T>): Promise<T> {
  if (running < MAX_PARALLEL) running++;
  else await new Promise<void>((resolve) => waiting[lane].push(resolve));
  try {
    return await work();
  } finally {
    // The slot passes straight to the next in line, sign-in first.
    const next = waiting.signIn.shift() ?? waiting.newPassword.shift();
    if (next) next();
    else running--;
  }
}

/** `scrypt$N$r$p$salt$hash` with base64url salt and hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await inTurn("newPassword", () => scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { N, r: R, p: P, maxmem: maxmemOf(N, R) }));
  return ["scrypt", N, R, P, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  if (!stored) return false;
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, "base64url");
  const expected = Buffer.from(parts[5]!, "base64url");
  const key = await inTurn("signIn", () => scrypt(password.normalize("NFKC"), salt, expected.length, { N: n, r, p, maxmem: maxmemOf(n, r) }));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

// A hash that never matches, verified against when the email is unknown so timing does not reveal it. One per
// process: it depends on nothing of a host.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return dummyHash;
}

/** Rejects what the proto's length rule lets through but is still weak: the email itself, one repeated character. */
export function checkPasswordPolicy(password: string, email: string | null | undefined, field: string): void {
  const weak = (message: string) => invalidArgument(field, message, "WEAK_PASSWORD");
  if (password.length < 10 || password.length > 128) throw weak("must be 10 to 128 characters");
  if (email && password.trim().toLowerCase() === email.trim().toLowerCase()) throw weak("must not be your email address");
  if (email && password.toLowerCase() === email.split("@")[0]!.toLowerCase()) throw weak("must not be your email name");
  if (new Set(password).size === 1) throw weak("must not be one repeated character");
}
