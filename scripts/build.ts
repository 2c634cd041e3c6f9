// `npm run build`: the production build in dist/, run with plain node (no TypeScript loader).
//   dist/sys/cmd/polityd.js         the server, one file per source file
//   dist/sys/cmd/polityd.bundle.js  the same server in one file (bin/polityd-prod and the image run it): Node
//                                   resolves, reads and compiles ~1,900 modules otherwise, a third of a start
//   dist/clients/src/cli/main.js    the polity CLI
//   dist/web/dist/                  the web GUI, where the compiled host looks for it
//   dist/node_modules/@polity/tally the tally engine compiled: its package points at TypeScript sources, which
//                                   Node does not run with .js specifiers, so the compiled code resolves this one
// Options: --out-dir <dir> (default dist; must sit inside the repository so node_modules resolves),
// --no-web (do not rebuild the GUI; copy web/dist as it is).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Plugin } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const { values } = parseArgs({ options: { "out-dir": { type: "string", default: "dist" }, "no-web": { type: "boolean", default: false } } });
const outDir = resolve(root, values["out-dir"]!);
if (relative(root, outDir).startsWith("..") || outDir === root) fail(`--out-dir must be a directory inside ${root}`);

function fail(message: string): never {
  console.error(`build: ${message}`);
  process.exit(1);
}

function run(args: string[]): void {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) fail(`${args.join(" ")} failed`);
}

rmSync(outDir, { recursive: true, force: true });
run([join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json", "--outDir", outDir]);
// The nearest package.json decides the module type; under node_modules/.cache that is not the repository's.
writeFileSync(join(outDir, "package.json"), JSON.stringify({ private: true, type: "module" }, null, 2) + "\n");

// Node builds the ES module view of node:http by reading every export, and its WebSocket getter loads Node's
// bundled undici: ~50 ms of a start for nothing. The bundle takes node:http through require, which reads no getter.
const httpThroughRequire: Plugin = {
  name: "http-through-require",
  setup(build) {
    build.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      args.namespace === "http-through-require" ? { path: "node:http", external: true } : { path: "node:http", namespace: "http-through-require" });
    build.onLoad({ filter: /.*/, namespace: "http-through-require" }, () => ({ contents: 'module.exports = require("node:http");', loader: "js" }));
  },
};

// Beside the entry it bundles, so paths taken from import.meta (the web GUI, the data files packages resolve)
// stay right. PGlite stays a package of its own: it finds its WASM and data files next to its modules.
await (await import("esbuild")).build({
  entryPoints: [join(outDir, "sys", "cmd", "polityd.js")],
  outfile: join(outDir, "sys", "cmd", "polityd.bundle.js"),
  bundle: true, platform: "node", format: "esm", target: "node22",
  external: ["@electric-sql/pglite", "@electric-sql/pglite-tools"],
  // Smaller source to hold in memory; names kept, as the ORM knows entities by their class names and stack
  // traces stay readable.
  minifyWhitespace: true, minifySyntax: true, keepNames: true,
  // CommonJS packages inside an ES module bundle still call require.
  banner: { js: 'import { createRequire as createRequireForBundle } from "node:module"; const require = createRequireForBundle(import.meta.url);' },
  logLevel: "warning",
  plugins: [httpThroughRequire],
});

const tally = join(outDir, "node_modules", "@polity", "tally");
mkdirSync(tally, { recursive: true });
writeFileSync(join(tally, "package.json"), JSON.stringify({ name: "@polity/tally", private: true, type: "module", exports: "./index.js" }, null, 2) + "\n");
writeFileSync(join(tally, "index.js"), `export * from "../../../clients/tally/src/index.js";\n`);

if (!values["no-web"]) {
  const { build } = await import("vite");
  await build({ configFile: join(root, "web", "vite.config.ts"), logLevel: "warn" });
  run(["--import", "tsx", join(root, "scripts", "precompress-web.ts")]);
}
const web = join(root, "web", "dist");
if (existsSync(join(web, "index.html"))) cpSync(web, join(outDir, "web", "dist"), { recursive: true });
else console.warn("build: web/dist is not built; the server will show a page saying so");
console.log(`build: ${relative(root, outDir) || "."} ready (bin/polityd-prod, or node --experimental-async-context-frame ${relative(root, join(outDir, "sys", "cmd", "polityd.bundle.js"))})`);
