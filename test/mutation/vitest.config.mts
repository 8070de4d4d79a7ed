// The tests that a mutation run (`npm run test:mutation`, stryker.config.json) scores the store modules against.
// Spread rather than mergeConfig, which would append to the base include list instead of replacing it.
import { defineConfig } from "vitest/config";
import base from "../../vitest.config.mts";

export default defineConfig({ ...base, test: { ...base.test, include: ["server/test/store/**/*.test.ts"] } });
