// Access rules are declared in the proto (polity.options.v1.rule) and read from the descriptors at start-up.
// A method without one makes the host refuse to start: deny by default.
import { type DescField, type DescMessage, type DescMethod, type DescService, getOption, hasOption } from "@bufbuild/protobuf";
import { type AccessRule, rule as ruleOption } from "../../../clients/src/gen/polity/options/v1/options_pb.js";
import { invalidArgument } from "../errors.js";

export interface MethodRule {
  method: DescMethod;
  rule: AccessRule;
  // Resolves the rule's resource template against a request message.
  resourceOf(message: Record<string, unknown> | undefined): string;
}

export class MissingRuleError extends Error {}

/** Rules of every method, keyed by "/package.Service/Method". Throws MissingRuleError listing any bare method. */
export function readRules(services: DescService[], exempt: (service: DescService) => boolean = () => false): Map<string, MethodRule> {
  const rules = new Map<string, MethodRule>();
  const missing: string[] = [];
  for (const service of services) {
    for (const method of service.methods) {
      const path = `/${service.typeName}/${method.name}`;
      if (exempt(service)) {
        rules.set(path, { method, rule: { public: true } as AccessRule, resourceOf: () => "platform" });
        continue;
      }
      if (!hasOption(method, ruleOption)) {
        missing.push(path);
        continue;
      }
      const rule = getOption(method, ruleOption);
      const modes = [rule.permission !== "", rule.public, rule.authenticated].filter(Boolean).length;
      if (modes !== 1) missing.push(`${path} (set exactly one of permission, public, authenticated)`);
      rules.set(path, { method, rule, resourceOf: compileTemplate(rule.resource, method.input, path) });
    }
  }
  if (missing.length > 0) throw new MissingRuleError(`RPCs without a valid polity.options.v1.rule:\n  ${missing.join("\n  ")}`);
  return rules;
}

/** "org/{org.id}" → a function reading message.org.id; checks at start-up that every path exists. */
function compileTemplate(template: string, input: DescMessage, where: string): MethodRule["resourceOf"] {
  if (template === "") return () => "platform";
  const parts = template.split(/(\{[^}]+\})/).filter(Boolean);
  const readers = parts.map((part) => {
    if (!part.startsWith("{")) return () => part;
    const path = part.slice(1, -1).split(".");
    let desc: DescMessage | undefined = input;
    const localNames: string[] = [];
    for (const name of path) {
      const field: DescField | undefined = desc?.fields.find((f) => f.name === name);
      if (!field) throw new MissingRuleError(`${where}: resource template field "${part}" not in ${input.typeName}`);
      localNames.push(field.localName);
      desc = field.message;
    }
    const fieldPath = part.slice(1, -1);
    return (message: Record<string, unknown> | undefined) => {
      let value: unknown = message;
      for (const name of localNames) value = (value as Record<string, unknown> | undefined)?.[name];
      if (typeof value !== "string" || value === "") throw invalidArgument(fieldPath, "value is required", "FIELD_REQUIRED");
      return value;
    };
  });
  return (message) => readers.map((read) => read(message)).join("");
}
