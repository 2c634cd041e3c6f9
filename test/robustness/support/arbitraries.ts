// fast-check arbitraries for any request message, derived from its descriptor and buf.validate rules: mostly
// values its rules accept (so handlers are reached, with ids of real rows from the pool), mixed with wild ones
// (unicode, NUL, lone surrogates, huge strings, integer extremes, NaN, unknown enum numbers, long lists).
import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import type { FieldRules } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import fc from "fast-check";
import { rulesOf } from "./contract.js";

/** Values that name real things on the server under test (ids, slugs, role names). */
export interface Pool {
  uuids: string[];
  strings: string[];
  /** Likely values by field name (community_id → the community), so handlers find the rows they ask for. */
  byField: Record<string, string[]>;
}

/** How wild the values are: the weight of a wild value against 4 tame ones, and how often a field is left out (1/absent). */
export interface Temper {
  wild: number;
  absent: number;
}
export const tame: Temper = { wild: 0.25, absent: 12 };
export const wild: Temper = { wild: 1, absent: 5 };

type Init = Record<string, unknown>;
const MAX_DEPTH = 4;
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

const oddStrings = ["", " ", "\u0000", "a\u0000b", "\ud800", "x\udfffy", "\u202eevil", "🏳️‍🌈", "' OR 1=1 --", "%s%n%x", "../../etc/passwd", "null", "NaN", "{}",
  "org/", "community/../org/x", "*", "\r\nx-injected: 1", "ﬀ", "İ", "\uFEFF", "a".repeat(513), "00000000-0000-0000-0000-000000000000"];

/** Any string at all: what a hostile or buggy client may send in a string field. */
export const wildString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 80 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 80 }) },
  { weight: 3, arbitrary: fc.constantFrom(...oddStrings) },
  { weight: 1, arbitrary: fc.uuid() },
  // Huge (up to ~1.2 MB of UTF-8): under the 4 MiB message limit, over every max_len.
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("a", "é", "\u0000", "🙂", "<"), fc.integer({ min: 1000, max: 300_000 })).map(([c, n]) => c.repeat(n)) },
);

function bounds<T extends number | bigint>(rules: { lessThan: { case?: string; value?: T }; greaterThan: { case?: string; value?: T } } | undefined, lo: T, hi: T, one: T) {
  let min = lo;
  let max = hi;
  if (rules?.greaterThan.case === "gte") min = rules.greaterThan.value!;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- T is number or bigint, and so is one
  if (rules?.greaterThan.case === "gt") min = ((rules.greaterThan.value as any) + one) as T;
  if (rules?.lessThan.case === "lte") max = rules.lessThan.value!;
  if (rules?.lessThan.case === "lt") max = ((rules.lessThan.value as any) - (one as any)) as T;
  return min <= max ? { min, max } : { min: lo, max: hi };
}

/** A string its rules accept, most of the time. */
function validString(rules: FieldRules | undefined, pool: Pool, name: string): fc.Arbitrary<string> {
  const s = rules?.type.case === "string" ? rules.type.value : undefined;
  const known = [...pool.strings, ...pool.uuids];
  const likely = pool.byField[name] ?? [];
  const prefer = (other: fc.Arbitrary<string>) => (likely.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...likely) }, { weight: 1, arbitrary: other }) : other);
  if (!s) return prefer(fc.oneof(fc.constantFrom(...known), fc.string({ maxLength: 40 })));
  if (s.wellKnown.case === "uuid") return prefer(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pool.uuids) }, { weight: 1, arbitrary: fc.uuid() }));
  if (s.wellKnown.case === "email") return prefer(fc.oneof(fc.emailAddress(), fc.constantFrom(...pool.strings.filter((v) => v.includes("@")))));
  if (s.in.length > 0) return fc.constantFrom(...s.in);
  const min = Number(s.minLen);
  const max = s.maxLen > 0n ? Number(s.maxLen) : 200;
  const fits = (v: string) => v.length >= min && v.length <= max && (!s.pattern || new RegExp(s.pattern).test(v));
  const fromPool = known.filter(fits);
  const generated = s.pattern
    ? fc.stringMatching(new RegExp(s.pattern), { maxLength: Math.min(max, 64) }).map((v) => v.slice(0, max)).filter(fits)
    : fc.string({ unit: "grapheme", minLength: min, maxLength: Math.min(max, 120) });
  return prefer(fromPool.length > 0 ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...fromPool) }, { weight: 3, arbitrary: generated }) : generated);
}

/** One scalar of the field's type: valid-ish (per rules) with weight 4, wild with weight 1. */
function scalar(f: DescField & { scalar: ScalarType }, rules: FieldRules | undefined, pool: Pool, temper: Temper): fc.Arbitrary<unknown> {
  const mix = <T>(valid: fc.Arbitrary<T>, wild: fc.Arbitrary<T>) => fc.oneof({ weight: 16, arbitrary: valid }, { weight: Math.round(4 * temper.wild), arbitrary: wild });
  const r = rules?.type;
  switch (f.scalar) {
    case ScalarType.STRING:
      return mix(validString(rules, pool, f.name), wildString);
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 256 });
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT: {
      const b = bounds(r?.case === "double" || r?.case === "float" ? r.value : undefined, -1e9, 1e9, 0);
      const wild = f.scalar === ScalarType.FLOAT ? fc.float().map(Number) : fc.double();
      return mix(fc.double({ min: b.min, max: b.max, noNaN: true }), wild);
    }
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64: {
      const b = bounds(r?.case === "int64" || r?.case === "sint64" || r?.case === "sfixed64" ? r.value : undefined, -(2n ** 63n), 2n ** 63n - 1n, 1n);
      return mix(fc.bigInt(b), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
    }
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    default: {
      const b = bounds(r?.case === "int32" || r?.case === "sint32" || r?.case === "sfixed32" ? r.value : undefined, INT32.min, INT32.max, 1);
      return mix(fc.integer(b), fc.oneof(fc.integer(INT32), fc.constantFrom(INT32.min, INT32.max, -1, 0)));
    }
  }
}

/** One value of a field's element type (a list's item, a map's value, or the field itself). */
function single(f: DescField, rules: FieldRules | undefined, pool: Pool, temper: Temper, depth: number): fc.Arbitrary<unknown> {
  const kind = f.fieldKind === "list" ? f.listKind : f.fieldKind === "map" ? f.mapKind : f.fieldKind;
  if (kind === "enum") {
    const values = f.enum!.values.map((v) => v.number);
    const known = values.filter((v) => v !== 0);
    return fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...(known.length > 0 ? known : values)) }, { weight: 2, arbitrary: fc.constant(0) },
      { weight: Math.round(4 * temper.wild), arbitrary: fc.oneof(fc.integer(INT32), fc.constantFrom(values.length, 99, -1)) });
  }
  if (kind === "message") return messageInit(f.message!, pool, temper, depth + 1);
  return scalar(f as DescField & { scalar: ScalarType }, rules, pool, temper);
}

function wellKnown(message: DescMessage, pool: Pool, temper: Temper): fc.Arbitrary<Init> | undefined {
  if (message.typeName === "google.protobuf.Timestamp") {
    // Mostly representable instants (JSON can carry them), sometimes any int64/int32 pair.
    const valid = fc.record({ seconds: fc.bigInt({ min: -62135596800n, max: 253402300799n }), nanos: fc.integer({ min: 0, max: 999_999_999 }) });
    return fc.oneof({ weight: 20, arbitrary: valid }, { weight: Math.round(4 * temper.wild), arbitrary: fc.record({ seconds: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), nanos: fc.integer(INT32) }) });
  }
  if (message.typeName === "google.protobuf.FieldMask") {
    const path = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...pool.strings.filter((s) => /^[a-z][a-z0-9_.]*$/.test(s))) }, { weight: Math.round(4 * temper.wild), arbitrary: wildString });
    return fc.record({ paths: fc.array(path, { maxLength: 6 }) });
  }
  return undefined;
}

/** An init object for create(message, init): each field left out with probability 1/temper.absent. */
export function messageInit(message: DescMessage, pool: Pool, temper: Temper, depth = 0): fc.Arbitrary<Init> {
  const special = wellKnown(message, pool, temper);
  if (special) return special;
  if (depth > MAX_DEPTH) return fc.constant({});
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of message.fields) {
    if (f.oneof) continue;
    const rules = rulesOf(f);
    let arb: fc.Arbitrary<unknown>;
    if (f.fieldKind === "list") {
      const items = rules?.type.case === "repeated" ? rules.type.value.items : undefined;
      const max = rules?.type.case === "repeated" && rules.type.value.maxItems > 0n ? Number(rules.type.value.maxItems) : 6;
      const item = single(f, items, pool, temper, depth);
      arb = fc.oneof({ weight: 36, arbitrary: fc.array(item, { maxLength: Math.min(max, 8) }) }, { weight: Math.round(4 * temper.wild), arbitrary: fc.array(item, { minLength: max, maxLength: max + 50 }) });
    } else if (f.fieldKind === "map") {
      const m = rules?.type.case === "map" ? rules.type.value : undefined;
      const key = f.mapKey === ScalarType.STRING ? fc.oneof(validString(m?.keys, pool, f.name), wildString.filter((s) => s.length < 1000)) : fc.integer(INT32).map(String);
      arb = fc.dictionary(key, single(f, m?.values, pool, temper, depth), { maxKeys: 8 });
    } else {
      arb = single(f, rules, pool, temper, depth);
    }
    model[f.localName] = fc.option(arb, { freq: temper.absent, nil: undefined });
  }
  for (const oneof of message.oneofs) {
    const members = oneof.fields.map((f) => single(f, rulesOf(f), pool, temper, depth).map((value) => ({ case: f.localName, value })));
    model[oneof.localName] = fc.option(fc.oneof(...members), { freq: temper.absent, nil: undefined });
  }
  return fc.record(model).map((init) => Object.fromEntries(Object.entries(init).filter(([, v]) => v !== undefined)));
}

type Setter = (init: Init, value: string) => Init;

/**
 * Every string field of a message, top level and one message down (singular, repeated or in a oneof), with a
 * function that sets it to a value in an init object (a list gets the value as its one item).
 */
export function stringFieldSetters(message: DescMessage): Array<[string, Setter]> {
  const out: Array<[string, Setter]> = [];
  const place = (f: DescField, value: string): unknown => (f.fieldKind === "list" ? [value] : value);
  const put = (init: Init, f: DescField, value: unknown): Init => {
    if (f.oneof) init[f.oneof.localName] = { case: f.localName, value };
    else init[f.localName] = value;
    return init;
  };
  const isString = (f: DescField) => (f.fieldKind === "scalar" || (f.fieldKind === "list" && f.listKind === "scalar")) && f.scalar === ScalarType.STRING;
  for (const f of message.fields) {
    if (isString(f)) out.push([f.name, (init, value) => put(init, f, place(f, value))]);
    if (f.fieldKind !== "message" || f.message.typeName.startsWith("google.protobuf.")) continue;
    for (const g of f.message.fields) {
      if (!isString(g)) continue;
      out.push([`${f.name}.${g.name}`, (init, value) => {
        const current = f.oneof ? (init[f.oneof.localName] as { value?: Init } | undefined)?.value : (init[f.localName] as Init | undefined);
        return put(init, f, put({ ...(current ?? {}) }, g, place(g, value)));
      }]);
    }
  }
  return out;
}
