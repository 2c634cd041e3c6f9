// In the repository the package resolves to its TypeScript sources (tsx, vitest, vite and tsc read them as
// they are); the packed tarball must point at the compiled dist/ instead, since Node does not strip types
// under node_modules. prepack switches the manifest to dist/, postpack switches it back.
import { readFileSync, writeFileSync } from "node:fs";

const target = process.argv[2];
if (target !== "dist" && target !== "src") throw new Error("usage: node pack-manifest.mjs dist|src");
const file = new URL("./package.json", import.meta.url);
const manifest = JSON.parse(readFileSync(file, "utf8"));
const entry = target === "dist"
  ? { types: "./dist/index.d.ts", default: "./dist/index.js" }
  : { types: "./src/index.ts", default: "./src/index.ts" };
manifest.exports["."] = entry;
manifest.types = entry.types;
writeFileSync(file, JSON.stringify(manifest, null, 2) + "\n");
