// Where the secrets key comes from. Configured (POLITY_SECRETS_KEY) it is used as is. Unset on the embedded
// database, a single process owns the data directory, so a key file made there once keeps a zero-config start
// working (and is backed up with the data it protects). Unset on PostgreSQL, several mod replicas would each
// make a different key, so none is made: storing a secret is refused with the setting to fix.
import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, type Config } from "../config.js";
import { createKeyring, createUnconfiguredKeyring, type Keyring } from "./keyring.js";

export const SECRETS_KEY_FILE = "secrets.key";

export function loadSecretsKeyring(config: Pick<Config, "secretsKey" | "secretsPreviousKeys" | "dataDir">, tierUsesEmbeddedDb: boolean): Keyring {
  const previous = config.secretsPreviousKeys.map((key, i) => decodeKey(key, `POLITY_SECRETS_PREVIOUS_KEYS entry ${i + 1}`));
  if (config.secretsKey) return createKeyring({ current: decodeKey(config.secretsKey, "POLITY_SECRETS_KEY"), previous });
  if (!tierUsesEmbeddedDb) return createUnconfiguredKeyring();
  return createKeyring({ current: readOrCreateKeyFile(config.dataDir), previous });
}

function readOrCreateKeyFile(dataDir: string): Buffer {
  const path = join(dataDir, SECRETS_KEY_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Written whole to a private temporary name, then linked into place: link fails if the file exists, so of
  // two processes racing exactly one key wins, and nobody ever reads a half-written file.
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temporary, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return decodeKey(readFileSync(path, "utf8").trim(), path);
}

function decodeKey(base64: string, where: string): Buffer {
  const key = Buffer.from(base64, "base64");
  if (key.length !== 32) throw new ConfigError(`${where}: not 32 bytes in base64 (make one with: openssl rand -base64 32)`);
  return key;
}
