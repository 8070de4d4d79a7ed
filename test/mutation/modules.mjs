// The modules a mutation run scores (issue 18), each with the test files that are allowed to kill its mutants.
// Naming the test files keeps every mutant away from the slow suites that merely pass through the module.
// `quick` marks the modules that `npm test` scores on every run, against their committed baseline (see run.mjs): only
// those measured at 80% or more belong there.
// `timeoutMS` (default DEFAULT_TIMEOUT_MS) replaces stryker.config.json's allowance over a mutant's measured test time
// (30 s, sized for a loaded machine): these tests take milliseconds, so each mutant that loops forever costs seconds.
export const DEFAULT_TIMEOUT_MS = 5000;
export const MODULES = [
  {
    id: "top-k",
    mutate: ["server/src/store/top-k.ts"],
    testFiles: ["server/test/store/top-k*.test.ts"],
    quick: true,
  },
  {
    id: "vector-index",
    mutate: ["server/src/store/vector-index.ts"],
    testFiles: ["server/test/store/vector-index*.test.ts"],
    quick: true,
  },
  {
    id: "grpc-validation-errors",
    mutate: ["server/src/grpc/validation.ts", "server/src/grpc/errors.ts"],
    testFiles: ["server/test/grpc/validation.test.ts", "server/test/grpc/errors.test.ts"],
    quick: true,
  },
  {
    id: "search-expression",
    mutate: ["server/src/search/expression.ts"],
    testFiles: ["server/test/search/expression*.test.ts"],
  },
  {
    id: "text-feature-cache",
    mutate: ["server/src/model/text-feature-cache.ts"],
    testFiles: ["server/test/model/text-feature-cache.test.ts", "server/test/sqlite-schema.test.ts"],
  },
  {
    id: "llm2vec",
    mutate: ["server/src/model/llm2vec.ts"],
    testFiles: ["server/test/model/llm2vec.test.ts"],
    quick: true,
  },
  {
    id: "alt-text-references",
    mutate: [
      "client/src/documents/references.ts",
      "client/src/documents/find-references.ts",
      "client/src/documents/markdown-images.ts",
      "client/src/documents/img-tags.ts",
      "client/src/documents/alt-edit.ts",
    ],
    testFiles: ["client/test/documents/*.test.ts", "test/conformance/md045.test.ts"],
  },
  {
    id: "image",
    mutate: ["server/src/model/image.ts"],
    testFiles: ["server/test/model/image.test.ts", "server/test/model/hf-preprocess-parity.test.ts"],
    quick: true,
  },
  {
    id: "collection",
    mutate: ["server/src/store/collection.ts"],
    testFiles: ["server/test/store/collection*.test.ts", "server/test/sqlite-schema.test.ts"],
    timeoutMS: 10000,
  },
];
