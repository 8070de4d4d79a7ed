// `npm run e2e:large`: the large-workspace run, on its own, never part of `npm test` (it takes many minutes).
import { defineConfig, mergeConfig } from "vitest/config";
import base from "../../../vitest.config";

export default mergeConfig(base, defineConfig({ test: { include: ["test/e2e/large-workspace/*.run.ts"], testTimeout: 3_600_000, hookTimeout: 3_600_000 } }), false);
