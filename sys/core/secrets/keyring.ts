// Secrets at rest (plugin credentials, webhook signing secrets) are sealed with AES-256-GCM under the current
// key and stay readable under former keys until `polityd secrets rotate` re-seals them. The sealed text names
// its key, so a key missing from the configuration is reported by name instead of as garbage:
//
//   v1.<key id: first 8 hex of sha256(key)>.<base64url 12-byte IV>.<base64url ciphertext + 16-byte tag>
//
// Associated data (e.g. the row's id) is authenticated but not stored: a sealed value copied into another row
// fails to open there, so a database writer cannot move one community's secret to another.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { apiError, failedPrecondition } from "../errors.js";

const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Keyring {
  /** False when no key is configured: seal and open then throw SECRETS_KEY_NOT_CONFIGURED. */
  readonly configured: boolean;
  /** Id of the key new secrets are sealed with (undefined when not configured). */
  readonly currentKeyId: string | undefined;
  seal(plaintext: string, associatedData?: string): string;
  open(sealed: string, associatedData?: string): string;
  /** Whether `sealed` was made with a key other than the current one (so a rotation should re-seal it). */
  needsRotation(sealed: string): boolean;
}

export interface KeyringKeys {
  current: Buffer;
  previous?: Buffer[];
}

export function keyIdOf(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

export function createKeyring({ current, previous = [] }: KeyringKeys): Keyring {
  for (const key of [current, ...previous]) {
    if (key.length !== KEY_BYTES) throw new Error(`a secrets key must be ${KEY_BYTES} bytes, got ${key.length}`);
  }
  const currentKeyId = keyIdOf(current);
  const keys = new Map<string, Buffer>();
  // Current first, so a previous key listed twice (or equal to the current one) cannot shadow it.
  for (const key of [current, ...previous]) if (!keys.has(keyIdOf(key))) keys.set(keyIdOf(key), key);

  return {
    configured: true,
    currentKeyId,
    seal(plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aadOf(currentKeyId, associatedData));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return [VERSION, currentKeyId, iv.toString("base64url"), body.toString("base64url")].join(".");
    },
    open(sealed, associatedData) {
      const { keyId, iv, body } = parse(sealed);
      const key = keys.get(keyId);
      if (!key) {
        throw failedPrecondition("SECRETS_KEY_UNKNOWN", `a stored secret was sealed with key ${keyId}, which is not configured ` +
          `(current key: ${currentKeyId}): add the key whose id is ${keyId} to POLITY_SECRETS_PREVIOUS_KEYS`);
      }
      const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aadOf(keyId, associatedData));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString("utf8");
      } catch {
        throw failedAuthentication();
      }
    },
    needsRotation(sealed) {
      return parse(sealed).keyId !== currentKeyId;
    },
  };
}

/** A keyring for a deployment without a key (PostgreSQL and no POLITY_SECRETS_KEY): storing a secret is refused. */
export function createUnconfiguredKeyring(): Keyring {
  const notConfigured = () => failedPrecondition("SECRETS_KEY_NOT_CONFIGURED",
    "secrets cannot be stored: set POLITY_SECRETS_KEY (openssl rand -base64 32) on every mod replica");
  return {
    configured: false,
    currentKeyId: undefined,
    seal() {
      throw notConfigured();
    },
    open() {
      throw notConfigured();
    },
    needsRotation() {
      return true;
    },
  };
}

// The version and key id are authenticated too, so the header of a sealed value cannot be edited either.
function aadOf(keyId: string, associatedData: string | undefined): Buffer {
  return Buffer.from(`${VERSION}.${keyId}.${associatedData ?? ""}`, "utf8");
}

function parse(sealed: string): { keyId: string; iv: Buffer; body: Buffer } {
  const parts = sealed.split(".");
  const [version, keyId, iv64, body64] = parts;
  if (parts.length !== 4 || version !== VERSION || !/^[0-9a-f]{8}$/.test(keyId)) throw malformed();
  const iv = Buffer.from(iv64, "base64url");
  const body = Buffer.from(body64, "base64url");
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw malformed();
  return { keyId, iv, body };
}

function malformed() {
  return apiError(Code.DataLoss, "SECRET_MALFORMED", `stored secret is not in the sealed format ${VERSION}.<key id>.<iv>.<ciphertext>`);
}

function failedAuthentication() {
  return apiError(Code.DataLoss, "SECRET_FAILED_AUTHENTICATION",
    "secret failed authentication (altered, moved to another row, or sealed under another key with the same id)");
}
