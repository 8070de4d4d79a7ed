// The tests that a mutation run (`npm run test:mutation`, stryker.config.json) scores the store modules against.
import { defineConfig, mergeConfig } from "vitest/config";
import base from "../../vitest.config.mts";

export default mergeConfig(base, defineConfig({ test: { include: ["server/test/store/**/*.test.ts"] } }));
