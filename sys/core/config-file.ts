// Reads the YAML config file. Whatever is wrong with it (missing, unreadable, a directory, not YAML, not a mapping)
// comes back as one line naming the file, for the operator's terminal: no stack trace, no code frame.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";

export type ConfigFileRead = { settings: Record<string, unknown>; problem?: undefined } | { settings?: undefined; problem: string };

const systemReasons: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "it is a directory",
  ENOTDIR: "a part of the path is not a directory",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the name is too long",
};

export function readConfigFile(file: string): ConfigFileRead {
  const cannot = (reason: string) => ({ problem: `cannot read config file ${file}: ${reason}` });
  let text: string;
  try {
    text = readFileSync(resolve(file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    return cannot(systemReasons[code] ?? firstLine((error as Error).message));
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text) ?? {};
  } catch (error) {
    // The yaml library's message is "<what> at line L, column C:" followed by a code frame; the first line is enough.
    return cannot(`invalid YAML: ${firstLine((error as Error).message).replace(/:$/, "")}`);
  }
  if (typeof parsed !== "object" || Array.isArray(parsed)) return cannot("expected a mapping of settings (key: value lines)");
  return { settings: parsed as Record<string, unknown> };
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0].trim();
}
