import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { reasonOf } from "../errors.js";
import { createKeyring, createUnconfiguredKeyring, keyIdOf } from "./keyring.js";

const keyA = randomBytes(32);
const keyB = randomBytes(32);

function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("keyring", () => {
  it("opens what it sealed, naming the key in a versioned format", () => {
    const keyring = createKeyring({ current: keyA });
    const sealed = keyring.seal("hunter2 ✓");
    expect(sealed).toMatch(new RegExp(`^v1\\.${keyIdOf(keyA)}\\.[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]+$`));
    expect(sealed).not.toContain("hunter2");
    expect(keyring.open(sealed)).toBe("hunter2 ✓");
    expect(keyring.currentKeyId).toBe(keyIdOf(keyA));
  });

  it("uses a fresh IV each time, so equal secrets do not look equal", () => {
    const keyring = createKeyring({ current: keyA });
    expect(keyring.seal("same")).not.toBe(keyring.seal("same"));
  });

  it("binds associated data: a value moved to another row does not open", () => {
    const keyring = createKeyring({ current: keyA });
    const sealed = keyring.seal("token", "row-1");
    expect(keyring.open(sealed, "row-1")).toBe("token");
    expect(reasonOf(thrown(() => keyring.open(sealed, "row-2")))).toBe("SECRET_FAILED_AUTHENTICATION");
    expect(thrown(() => keyring.open(sealed)).message).toContain("secret failed authentication");
  });

  it("refuses a tampered ciphertext, IV or key id", () => {
    const keyring = createKeyring({ current: keyA, previous: [keyB] });
    const [version, keyId, iv, body] = keyring.seal("token").split(".");
    const flip = (text: string) => {
      const bytes = Buffer.from(text, "base64url");
      bytes[0] ^= 1;
      return bytes.toString("base64url");
    };
    for (const tampered of [[version, keyId, iv, flip(body)], [version, keyId, flip(iv), body], [version, keyIdOf(keyB), iv, body]]) {
      const error = thrown(() => keyring.open(tampered.join(".")));
      expect(reasonOf(error)).toBe("SECRET_FAILED_AUTHENTICATION");
      expect(error.message).toContain("secret failed authentication");
    }
    expect(reasonOf(thrown(() => keyring.open("plain text")))).toBe("SECRET_MALFORMED");
  });

  it("reads secrets sealed with a previous key and says they need rotation", () => {
    const old = createKeyring({ current: keyA }).seal("token", "row-1");
    const rotated = createKeyring({ current: keyB, previous: [keyA] });
    expect(rotated.open(old, "row-1")).toBe("token");
    expect(rotated.needsRotation(old)).toBe(true);
    const resealed = rotated.seal(rotated.open(old, "row-1"), "row-1");
    expect(rotated.needsRotation(resealed)).toBe(false);
  });

  it("names the missing key and the setting when a secret's key is not configured", () => {
    const old = createKeyring({ current: keyA }).seal("token");
    const error = thrown(() => createKeyring({ current: keyB }).open(old));
    expect(reasonOf(error)).toBe("SECRETS_KEY_UNKNOWN");
    expect(error.message).toContain(keyIdOf(keyA));
    expect(error.message).toContain("POLITY_SECRETS_PREVIOUS_KEYS");
  });

  it("rejects keys that are not 32 bytes", () => {
    expect(() => createKeyring({ current: randomBytes(16) })).toThrow(/32 bytes/);
    expect(() => createKeyring({ current: keyA, previous: [randomBytes(31)] })).toThrow(/32 bytes/);
  });

  it("an unconfigured keyring refuses to seal, naming the setting", () => {
    const keyring = createUnconfiguredKeyring();
    expect(keyring.configured).toBe(false);
    const error = thrown(() => keyring.seal("token"));
    expect(reasonOf(error)).toBe("SECRETS_KEY_NOT_CONFIGURED");
    expect(error.message).toContain("POLITY_SECRETS_KEY");
  });
});
