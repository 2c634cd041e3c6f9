// Import directions, read from the code: core knows no module, clients know no server, a module reaches
// another only through its public surface, and a handler never imports another handler. Test files may reach
// across (they integrate), so only the code that ships is checked.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const SYS_MODULES = ["account", "auth", "authz", "community"];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (name === "node_modules" || name === "gen" || name === "dist") continue;
    if (statSync(join(root, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !/test-support\.ts$/.test(name)) out.push(path);
  }
  return out;
}

/** Every relative import of a file, as a path from the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);
  return specifiers.filter((s) => s.startsWith(".")).map((s) => relative(root, resolve(root, dirname(file), s)));
}

function violations(files: string[], forbidden: (target: string, file: string) => boolean): string[] {
  return files.flatMap((file) => importsOf(file).filter((target) => forbidden(target, file)).map((target) => `${file} → ${target}`));
}

const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
const moduleOf = (path: string) => SYS_MODULES.find((m) => under(path, `sys/${m}`));

describe("import directions", () => {
  it("nothing in sys/core imports mod/, a sys module or the composition root", () => {
    const forbidden = (target: string) => under(target, "mod") || under(target, "sys/cmd") || under(target, "sys/shared") || moduleOf(target) !== undefined;
    expect(violations(sourceFiles("sys/core"), forbidden)).toEqual([]);
  });

  it("nothing in clients/ imports mod/ or sys/", () => {
    expect(violations(sourceFiles("clients"), (target) => under(target, "mod") || under(target, "sys"))).toEqual([]);
  });

  it("mod reaches sys only through sys/core (ports, host contracts), never a sys module", () => {
    const forbidden = (target: string) => under(target, "sys/cmd") || moduleOf(target) !== undefined;
    expect(violations(sourceFiles("mod"), forbidden)).toEqual([]);
  });

  it("a sys module uses another only through its index.ts", () => {
    const forbidden = (target: string, file: string) => {
      const to = moduleOf(target);
      return to !== undefined && to !== moduleOf(file) && !/^sys\/[a-z]+\/index(\.[jt]s)?$/.test(target);
    };
    expect(violations(SYS_MODULES.flatMap((m) => sourceFiles(`sys/${m}`)), forbidden)).toEqual([]);
  });

  it("a mod module uses another only through its index.ts", () => {
    const modModuleOf = (path: string) => (under(path, "mod") ? path.split("/")[1] : undefined);
    const forbidden = (target: string, file: string) => {
      const to = modModuleOf(target);
      return to !== undefined && to !== modModuleOf(file) && !/^mod\/[a-z]+\/index(\.[jt]s)?$/.test(target);
    };
    expect(violations(sourceFiles("mod"), forbidden)).toEqual([]);
  });

  it("a handler never imports another handler", () => {
    const handler = (path: string) => /(^|\/|-)handlers(\.[jt]s)?$/.test(path);
    const files = [...sourceFiles("sys"), ...sourceFiles("mod")].filter(handler);
    expect(files.length).toBeGreaterThan(3);
    expect(violations(files, (target) => handler(target))).toEqual([]);
  });
});
