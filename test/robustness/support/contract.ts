// The contract the fuzzer walks, read from the generated code: every polity.* service, and which of them a
// running server registers (its "polityd serving" log line), so a new RPC is fuzzed without touching a test.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type DescField, type DescMethod, type DescService, getOption } from "@bufbuild/protobuf";
import { field as fieldExt, type FieldRules } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { repoRoot } from "../../support/server.js";

export async function polityServices(): Promise<DescService[]> {
  const root = join(repoRoot, "clients", "src", "gen", "polity");
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("_pb.ts"));
  const services: DescService[] = [];
  for (const file of files.sort()) {
    const mod = (await import(join(root, file))) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      if (value && typeof value === "object" && (value as { kind?: unknown }).kind === "service") services.push(value as DescService);
    }
  }
  return services;
}

/** The services a server registers, from its start-up log line. */
export function registeredServices(logs: string[]): Set<string> {
  for (const line of logs) {
    const parsed = JSON.parse(line) as { msg?: string; services?: string[] };
    if (parsed.msg === "polityd serving") return new Set(parsed.services ?? []);
  }
  throw new Error("the server never logged that it serves");
}

export const rulesOf = (f: DescField): FieldRules | undefined => (getOption(f, fieldExt) as FieldRules | undefined) ?? undefined;

export const pathOf = (method: DescMethod) => `/${method.parent.typeName}/${method.name}`;
