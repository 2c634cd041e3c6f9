// PostgreSQL's text cannot hold U+0000 ("invalid byte sequence for encoding UTF8: 0x00"), so a NUL character that
// reaches a query is a database error, not an answer: every free-text field of both tiers (names, titles,
// descriptions, queries, emails, choice labels, map keys…) would be Internal. One check here, on every request
// message before any handler (beside the proto rules, in the same validation step), refuses NUL anywhere instead
// of a rule on each string field: there are dozens of such fields, a new one would be safe without anyone
// remembering the rule, and NUL is meaningful in no field of this API. Proto rules still describe each field's
// shape (e.g. Question.resource); this is the floor under all of them.
import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";

type Plain = Record<string, unknown>;

const hasNul = (value: unknown) => typeof value === "string" && value.includes("\u0000");

/** The path of the first string (field, list item, map key or value) holding a NUL character, if any. */
export function firstNulField(schema: DescMessage, message: unknown): string | undefined {
  // Iterative: a deeply nested message must not cost stack.
  const stack: Array<[DescMessage, Plain, string]> = [[schema, message as Plain, ""]];
  while (stack.length > 0) {
    const [desc, msg, prefix] = stack.pop()!;
    for (const field of desc.fields) {
      const value = valueOf(msg, field);
      if (value === undefined || value === null) continue;
      const path = prefix + field.name;
      switch (field.fieldKind) {
        case "scalar":
          if (field.scalar === ScalarType.STRING && hasNul(value)) return path;
          break;
        case "enum":
          break;
        case "message": {
          // Wrappers and JSON types (StringValue, Struct…) are plain values in protobuf-es: JSON is searched as
          // JSON (jsonb cannot hold U+0000 either), never walked as the message it stands for.
          if (JSON_TYPES.has(field.message.typeName)) {
            const inJson = firstNulInJson(value);
            if (inJson !== undefined) return path + inJson;
          } else if (typeof value !== "object") {
            if (hasNul(value)) return path;
          } else stack.push([field.message, value as Plain, `${path}.`]);
          break;
        }
        case "list":
          (value as unknown[]).forEach((item, i) => {
            if (field.listKind === "message") stack.push([field.message, item as Plain, `${path}[${i}].`]);
          });
          if (field.listKind === "scalar" && field.scalar === ScalarType.STRING) {
            const i = (value as unknown[]).findIndex(hasNul);
            if (i >= 0) return `${path}[${i}]`;
          }
          break;
        case "map":
          for (const [key, item] of Object.entries(value as Plain)) {
            if (field.mapKey === ScalarType.STRING && hasNul(key)) return `${path}[${JSON.stringify(key)}]`;
            if (field.mapKind === "message") stack.push([field.message, item as Plain, `${path}[${JSON.stringify(key)}].`]);
            else if (field.mapKind === "scalar" && field.scalar === ScalarType.STRING && hasNul(item)) return `${path}[${JSON.stringify(key)}]`;
          }
          break;
      }
    }
  }
  return undefined;
}

const JSON_TYPES = new Set(["google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"]);

/** The path inside a JSON value of the first string or key holding a NUL character ("" for the value itself). */
function firstNulInJson(root: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[root, ""]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (hasNul(value)) return path;
    if (Array.isArray(value)) value.forEach((item, i) => stack.push([item, `${path}[${i}]`]));
    else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (hasNul(key)) return `${path}[${JSON.stringify(key)}]`;
        stack.push([item, `${path}.${key}`]);
      }
    }
  }
  return undefined;
}

function valueOf(message: Plain, field: DescField): unknown {
  if (!field.oneof) return message[field.localName];
  const chosen = message[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
  return chosen?.case === field.localName ? chosen.value : undefined;
}
