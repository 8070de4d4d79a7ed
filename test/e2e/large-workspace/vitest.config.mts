// `npm run e2e:large`: the large-workspace run, on its own, never part of `npm test` (it takes many minutes).
// The repository's config with only this run included (mergeConfig would add it to the suite's files instead).
import { defineConfig } from "vitest/config";
import base from "../../../vitest.config.mts";

export default defineConfig({ ...base, test: { ...base.test, include: ["test/e2e/large-workspace/*.run.ts"], testTimeout: 3_600_000, hookTimeout: 3_600_000 } });
