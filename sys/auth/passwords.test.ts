import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { reasonOf } from "../core/errors.js";
import { checkPasswordPolicy, hashPassword, inTurn, verifyPassword } from "./passwords.js";

describe("passwords", () => {
  it("hash in the scrypt$N$r$p$salt$hash format and verify only the right password", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterY", hash)).toBe(false);
    expect(await hashPassword("correct horse battery")).not.toBe(hash); // salted
  });

  it("run scrypt two at a time, sign-in checks ahead of new passwords however many wait", async () => {
    const started: string[] = [];
    const releases: Array<() => void> = [];
    const work = (name: string, lane: "signIn" | "newPassword") =>
      inTurn(lane, () => {
        started.push(name);
        return new Promise<void>((resolve) => releases.push(resolve));
      });
    const all = [work("new1", "newPassword"), work("new2", "newPassword"), work("new3", "newPassword"), work("new4", "newPassword"), work("login", "signIn")];
    await Promise.resolve();
    expect(started).toEqual(["new1", "new2"]);
    releases[0]!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(["new1", "new2", "login"]);
    for (let i = 1; i < 5; i++) {
      releases[i]!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(all);
    expect(started).toEqual(["new1", "new2", "login", "new3", "new4"]);
  });

  it("reject malformed or missing hashes", async () => {
    expect(await verifyPassword("x", null)).toBe(false);
    expect(await verifyPassword("x", "bcrypt$abc")).toBe(false);
  });

  it("refuse weak passwords with WEAK_PASSWORD naming the field", () => {
    const weak = (pw: string) => {
      try {
        checkPasswordPolicy(pw, "ada@example.org", "new_password");
      } catch (error) {
        expect(error).toBeInstanceOf(ConnectError);
        expect((error as ConnectError).code).toBe(Code.InvalidArgument);
        expect((error as ConnectError).message).toContain("new_password");
        return reasonOf(error);
      }
      return "ok";
    };
    expect(weak("aaaaaaaaaaaa")).toBe("WEAK_PASSWORD");
    expect(weak("ADA@example.org")).toBe("WEAK_PASSWORD");
    expect(weak("short")).toBe("WEAK_PASSWORD");
    expect(weak("a perfectly fine passphrase")).toBe("ok");
  });
});
