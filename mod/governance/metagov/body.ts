// Request bodies of the Metagov API: JSON objects, read within the route's byte limit.
import { HttpError, type RouteRequest } from "../../../sys/core/http/route.js";
import type { JsonObject } from "@bufbuild/protobuf";

/** The body as a JSON object; an empty body is `{}`. Anything else that is not an object is a 400. */
export async function readJsonObject(request: RouteRequest): Promise<JsonObject> {
  const raw = (await request.readBody()).toString("utf8");
  if (raw.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new HttpError(400, "the request body is not valid JSON");
  }
  if (!isObject(value)) throw new HttpError(400, "the request body must be a JSON object");
  return value;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An optional object field: absent or null gives undefined; any other non-object is a 400. */
export function objectField(body: JsonObject, name: string): JsonObject | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new HttpError(400, `"${name}" must be a JSON object`);
  return value;
}

export function stringField(body: JsonObject, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new HttpError(400, `"${name}" must be a string`);
  return value;
}
