// Bodies no honest client sends: random bytes, mutated valid encodings, JSON of the wrong shape or no JSON at
// all, and envelopes that lie about their length, are cut short, come in pairs or carry odd flags. The
// compressed flag (bit 0) is left to a test of its own, so that one known answer does not hide the others.
import fc from "fast-check";
import { envelope } from "./wires.js";

interface Mutation { op: "flip" | "delete" | "insert" | "truncate" | "duplicate" | "set"; at: number; len: number; bytes: Uint8Array; bit: number }

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom("flip", "delete", "insert", "truncate", "duplicate", "set"),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 16 }),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  bit: fc.integer({ min: 0, max: 7 }),
});

function mutate(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = Buffer.from(input);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    if (m.op === "flip" && at < b.length) b[at] ^= 1 << m.bit;
    else if (m.op === "set" && at < b.length) b[at] = m.bytes[0];
    else if (m.op === "delete") b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
    else if (m.op === "insert") b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (m.op === "truncate") b = b.subarray(0, at);
    else if (m.op === "duplicate") b = Buffer.concat([b.subarray(0, at + m.len), b.subarray(at)]);
  }
  return b;
}

// Encodings that stress a protobuf decoder: overlong varints, lengths past the end, groups, bad wire types.
const nastyBinary = [
  [0xff, 0xff, 0xff, 0xff, 0xff, 0x0f], [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x61], [0x0b, 0x0c], [0x0b], [0x0c], [0x0f, 0x00], [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
  [0x0a, 0x02, 0xc3, 0x28], [0x12, 0x03, 0xed, 0xa0, 0x80], [0x00], [0x08], [0x0d, 0x01], [0x0a, 0x05, 0x0a, 0x03, 0x0a, 0x01],
].map((b) => new Uint8Array(b));

/** Binary payloads: random, nasty, or a valid encoding mutated. */
export function malformedBinary(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }) },
    { weight: 1, arbitrary: fc.constantFrom(...nastyBinary) },
    { weight: 4, arbitrary: fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([b, ms]) => mutate(b, ms)) },
  );
}

const nastyJson = ["", "{", "}", "null", "[]", "1", '"x"', "true", "{}}", '{"a":1,}', "{'a':1}", "\uFEFF{}", '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}',
  `{"a":${"[".repeat(100_000)}`, `${"[".repeat(50_000)}${"]".repeat(50_000)}`, `{"x":${"{\"x\":".repeat(20_000)}1${"}".repeat(20_000)}}`, '{"x":1e400}', '{"x":-0}', '{"x":"\\ud800"}',
  '{"a":1,"a":2}', "{\u0000}", '{"x":"\u0000"}'];

/** Replaces one value anywhere in the JSON tree (or adds a key) with any JSON value. */
function corrupt(json: unknown, pick: number, key: string, value: unknown): unknown {
  const slots: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach((v, i) => (slots.push([node, i]), walk(v)));
    else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) (slots.push([node as Record<string, unknown>, k]), walk(v));
  };
  const root = structuredClone(json);
  walk(root);
  if (slots.length === 0 || pick % (slots.length + 1) === slots.length) {
    if (root && typeof root === "object" && !Array.isArray(root)) (root as Record<string, unknown>)[key] = value;
    return root;
  }
  const [parent, at] = slots[pick % slots.length];
  (parent as Record<string | number, unknown>)[at] = value;
  return root;
}

/** JSON request bodies: a valid message with one value of the wrong type, any JSON, or no JSON at all. */
export function malformedJson(valid: fc.Arbitrary<unknown>, fieldNames: string[]): fc.Arbitrary<Uint8Array> {
  const text = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(valid, fc.nat(), fc.constantFrom(...fieldNames, "unknownField", ""), fc.jsonValue({ maxDepth: 3 })).map(([j, p, k, v]) => JSON.stringify(corrupt(j, p, k, v))) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 100 }) },
    { weight: 2, arbitrary: fc.constantFrom(...nastyJson) },
  );
  return fc.oneof(
    { weight: 9, arbitrary: text.map((t) => new Uint8Array(Buffer.from(t, "utf8"))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => new Uint8Array(Buffer.concat([Buffer.from('{"x":"'), b, Buffer.from('"}')]))) }, // not UTF-8
  );
}

interface Frame { flags: number; delta: number; payload: Uint8Array }

/** Enveloped bodies that break the framing: wrong lengths, extra or missing frames, odd flags, cut short. */
export function malformedEnvelope(payload: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const frame: fc.Arbitrary<Frame> = fc.record({
    // Never bit 0 (compressed): see compressedFlag below.
    flags: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constantFrom(0x02, 0x80, 0x40, 0x82) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }).map((f) => f & 0xfe) }),
    delta: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -8, max: 8 }) }, { weight: 1, arbitrary: fc.constantFrom(2 ** 31, 2 ** 32 - 1 - 300, 5 * 1024 * 1024) }),
    payload,
  });
  return fc.tuple(fc.array(frame, { maxLength: 3 }), fc.option(fc.nat(), { freq: 3 }), fc.uint8Array({ maxLength: 4 })).map(([frames, cut, tail]) => {
    const parts = frames.map(({ flags, delta, payload: p }) => {
      const out = envelope(p, flags);
      out.writeUInt32BE(Math.max(0, Math.min(2 ** 32 - 1, p.length + delta)), 1);
      return out;
    });
    const body = Buffer.concat([...parts, frames.length === 0 ? tail : new Uint8Array()]);
    return cut === null ? body : body.subarray(0, cut % (body.length + 1));
  });
}

/** gRPC-Web text bodies: base64 of a bad envelope, or text that is not base64 at all. */
export function malformedText(enveloped: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 3, arbitrary: enveloped.map((b) => Buffer.from(Buffer.from(b).toString("base64"))) },
    { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 80 }).map((s) => Buffer.from(s, "latin1")) },
    { weight: 1, arbitrary: fc.tuple(enveloped, fc.nat(), fc.constantFrom("=", "!", "====", " ", "\n", "-_")).map(([b, at, junk]) => {
      const t = Buffer.from(b).toString("base64");
      const i = at % (t.length + 1);
      return Buffer.from(t.slice(0, i) + junk + t.slice(i));
    }) },
  );
}
