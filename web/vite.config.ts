import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

// Built into web/dist and served by polityd at "/"; relative asset paths keep it working under any prefix.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
  server: { fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] } },
});
