import "@testing-library/jest-dom/vitest";
import { loadCatalog } from "./lib/i18n.svelte";

// Every language's words are here before any test, so a test switches language at once.
await loadCatalog("es");
