// The access rules the matrix checks, read from the generated descriptors (every polity.* service, found by
// walking clients/src/gen/polity, so a new RPC shows up here without touching the test) — the same proto option
// the server enforces, read by this test's own code rather than by sys/core/authz/rules.ts.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type DescMethod, type DescService, getOption, hasOption } from "@bufbuild/protobuf";
import { type AccessRule, rule as ruleOption } from "../../../clients/src/gen/polity/options/v1/options_pb.js";
import { repoRoot } from "../../support/server.js";

export interface RpcRule {
  /** "polity.sys.auth.v1.AuthService/Login" */
  name: string;
  service: DescService;
  method: DescMethod;
  /** Undefined when the method carries no rule (the server refuses to start then; the test reports it). */
  rule: AccessRule | undefined;
}

export async function polityRpcs(): Promise<RpcRule[]> {
  const root = join(repoRoot, "clients", "src", "gen", "polity");
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("_pb.ts")).sort();
  const rpcs: RpcRule[] = [];
  for (const file of files) {
    const exports = (await import(join(root, file))) as Record<string, unknown>;
    for (const value of Object.values(exports)) {
      if (!value || typeof value !== "object" || (value as { kind?: unknown }).kind !== "service") continue;
      const service = value as DescService;
      if (!service.typeName.startsWith("polity.")) continue;
      for (const method of service.methods) {
        rpcs.push({ name: `${service.typeName}/${method.name}`, service, method, rule: hasOption(method, ruleOption) ? getOption(method, ruleOption) : undefined });
      }
    }
  }
  return rpcs;
}

/**
 * Fills a rule's resource template ("community/{poll.community_id}") from a request written in the generated
 * code's local names, reading proto field names through the method's input descriptor. "" means the platform.
 */
export function resourceOf(rpc: RpcRule, request: Record<string, unknown>): string {
  const template = rpc.rule?.resource ?? "";
  if (template === "") return "platform";
  return template.replace(/\{([^}]+)\}/g, (_, path: string) => {
    let desc = rpc.method.input;
    let value: unknown = request;
    for (const name of path.split(".")) {
      const field = desc?.fields.find((f) => f.name === name);
      if (!field) throw new Error(`${rpc.name}: template field ${path} is not in ${rpc.method.input.typeName}`);
      value = (value as Record<string, unknown> | undefined)?.[field.localName];
      desc = field.message!;
    }
    return String(value ?? "");
  });
}
