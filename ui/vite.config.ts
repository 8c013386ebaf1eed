/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  // The logo is imported from ../icons/source.svg, the one source of every icon.
  server: { port: 1420, strictPort: true, host: "127.0.0.1", fs: { allow: [".", "../icons"] } },
  build: { outDir: "dist", target: "es2022", emptyOutDir: true },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["./src/test-setup.ts"],
  },
});
