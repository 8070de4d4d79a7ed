// The vitest config of a mutation run: only the test files that test/mutation/run.mjs names for the module, passed in
// LLM2CLIP_MUTATION_TESTS. Stryker's own `testFiles` option is not used: with it, Stryker 9.6.1 activates static
// mutants after their module has loaded, and reports them as survivors (stryker-js issue #6144).
// A module's tests must not call it while their file is collected (in a describe body): a mutant that throws there
// fails the whole file before any test runs, and Stryker's vitest runner 9.6.1 counts a run with no test result as no
// test failing, so the mutant "survives" (it cost llm2vec 64 false survivors). Build the subject inside each test.
// Spread rather than mergeConfig, which would append to the base include list instead of replacing it.
import { defineConfig } from "vitest/config";
import base from "../../vitest.config.mts";

const include = process.env.LLM2CLIP_MUTATION_TESTS?.split(",") ?? [];
if (include.length === 0) throw new Error("LLM2CLIP_MUTATION_TESTS names no test files: run the mutation tests with npm run test:mutation");

export default defineConfig({ ...base, test: { ...base.test, include, setupFiles: ["test/mutation/fixed-seed.ts"] } });
