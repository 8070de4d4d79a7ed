// The modules a mutation run scores (issue 18), each with the test files that are allowed to kill its mutants.
// Naming the test files keeps every mutant away from the slow suites that merely pass through the module.
// `quick` marks the modules that `npm test` scores on every run: only those measured at 80% or more belong there.
export const MODULES = [
  {
    id: "top-k",
    mutate: ["server/src/store/top-k.ts"],
    testFiles: ["server/test/store/top-k*.test.ts"],
  },
  {
    id: "vector-index",
    mutate: ["server/src/store/vector-index.ts"],
    testFiles: ["server/test/store/vector-index*.test.ts"],
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
    testFiles: ["server/test/model/text-feature-cache.test.ts"],
  },
  {
    id: "llm2vec",
    mutate: ["server/src/model/llm2vec.ts"],
    testFiles: ["server/test/model/llm2vec.test.ts"],
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
    testFiles: ["server/test/model/image.test.ts"],
  },
  {
    id: "collection",
    mutate: ["server/src/store/collection.ts"],
    testFiles: ["server/test/store/collection*.test.ts"],
  },
];
