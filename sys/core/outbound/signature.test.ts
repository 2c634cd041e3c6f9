import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signBody, verifySignature } from "./signature.js";

const body = JSON.stringify({ event: "process.closed", id: "p-1", text: "ünïcode" });
const now = new Date("2026-11-30T12:00:00Z");
const t = Math.floor(now.getTime() / 1000);

describe("Polity-Signature", () => {
  it("is t=<seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>, checkable by hand", () => {
    const header = signBody("whsec_1", body, now);
    const expected = createHmac("sha256", "whsec_1").update(`${t}.${body}`, "utf8").digest("hex");
    expect(header).toBe(`t=${t},v1=${expected}`);
  });

  it("verifies its own signature over the raw body, string or bytes", () => {
    const header = signBody("whsec_1", body, now);
    expect(verifySignature("whsec_1", header, body, { now })).toBe(true);
    expect(verifySignature("whsec_1", header, Buffer.from(body), { now })).toBe(true);
  });

  it("refuses another secret, an altered body, a missing or garbled header", () => {
    const header = signBody("whsec_1", body, now);
    expect(verifySignature("whsec_2", header, body, { now })).toBe(false);
    expect(verifySignature("whsec_1", header, body.replace("p-1", "p-2"), { now })).toBe(false);
    expect(verifySignature("whsec_1", header, JSON.stringify(JSON.parse(body), null, 2), { now })).toBe(false);
    for (const garbled of [undefined, null, "", "t=abc,v1=00", `v1=${header.split("v1=")[1]}`, `t=${t}`, `t=${t},v1=zz`]) {
      expect(verifySignature("whsec_1", garbled, body, { now }), String(garbled)).toBe(false);
    }
  });

  it("refuses a timestamp outside the tolerance, either way", () => {
    const header = signBody("whsec_1", body, now);
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    expect(verifySignature("whsec_1", header, body, { now: at(300) })).toBe(true);
    expect(verifySignature("whsec_1", header, body, { now: at(301) })).toBe(false);
    expect(verifySignature("whsec_1", header, body, { now: at(-301) })).toBe(false);
    expect(verifySignature("whsec_1", header, body, { now: at(3600), toleranceSeconds: 3600 })).toBe(true);
  });

  it("accepts any of several v1 entries, for secret rotation", () => {
    const header = signBody(["whsec_new", "whsec_old"], body, now);
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(verifySignature("whsec_new", header, body, { now })).toBe(true);
    expect(verifySignature("whsec_old", header, body, { now })).toBe(true);
    expect(verifySignature("whsec_other", header, body, { now })).toBe(false);
  });
});
