import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fork } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../config.js";
import { reasonOf } from "../errors.js";
import { createKeyring, keyIdOf } from "./keyring.js";
import { loadSecretsKeyring } from "./secrets-key.js";

const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "polity-secrets-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("loadSecretsKeyring", () => {
  it("uses the configured key and previous keys", () => {
    const current = randomBytes(32);
    const previous = randomBytes(32);
    const dataDir = join(tempDir(), "data");
    const keyring = loadSecretsKeyring({ secretsKey: current.toString("base64"), secretsPreviousKeys: [previous.toString("base64")], dataDir }, true);
    expect(keyring.currentKeyId).toBe(keyIdOf(current));
    expect(keyring.open(createKeyring({ current: previous }).seal("old"))).toBe("old");
    // A configured key never writes a key file.
    expect(() => statSync(join(dataDir, "secrets.key"))).toThrow();
  });

  it("on the embedded database makes a private key file once and reuses it", () => {
    const dataDir = join(tempDir(), "nested", "data");
    const first = loadSecretsKeyring({ secretsPreviousKeys: [], dataDir }, true);
    const file = join(dataDir, "secrets.key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, "utf8").trim(), "base64")).toHaveLength(32);
    const sealed = first.seal("token");
    const second = loadSecretsKeyring({ secretsPreviousKeys: [], dataDir }, true);
    expect(second.currentKeyId).toBe(first.currentKeyId);
    expect(second.open(sealed)).toBe("token");
  });

  it("processes racing to make the key file all end up with the same key", async () => {
    const dataDir = tempDir();
    const script = `
      import { loadSecretsKeyring } from ${JSON.stringify(new URL("./secrets-key.ts", import.meta.url).pathname)};
      process.send(loadSecretsKeyring({ secretsPreviousKeys: [], dataDir: ${JSON.stringify(dataDir)} }, true).currentKeyId);`;
    const file = join(dataDir, "race.mts");
    writeFileSync(file, script);
    const ids = await Promise.all(Array.from({ length: 6 }, () => new Promise<string>((resolve, reject) => {
      const child = fork(file, { execArgv: ["--import", "tsx"], stdio: "ignore" });
      child.once("message", (id) => resolve(String(id)));
      child.once("error", reject);
      child.once("exit", (code) => code !== 0 && reject(new Error(`child exited with ${code}`)));
    })));
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toBe(loadSecretsKeyring({ secretsPreviousKeys: [], dataDir }, true).currentKeyId);
  });

  it("on PostgreSQL without a key refuses to seal and makes no file", () => {
    const dataDir = tempDir();
    const keyring = loadSecretsKeyring({ secretsPreviousKeys: [], dataDir }, false);
    expect(keyring.configured).toBe(false);
    let error: unknown;
    try {
      keyring.seal("token");
    } catch (caught) {
      error = caught;
    }
    expect(reasonOf(error)).toBe("SECRETS_KEY_NOT_CONFIGURED");
    expect(String((error as Error).message)).toContain("openssl rand -base64 32");
    expect(() => statSync(join(dataDir, "secrets.key"))).toThrow();
  });

  it("reports a corrupt key file by its path", () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, "secrets.key"), "not a key\n");
    expect(() => loadSecretsKeyring({ secretsPreviousKeys: [], dataDir }, true)).toThrow(ConfigError);
    expect(() => loadSecretsKeyring({ secretsPreviousKeys: [], dataDir }, true)).toThrow(join(dataDir, "secrets.key"));
  });
});
