import { defineConfig } from "vitest/config";

// `llm2clip-source`: inside the repository, @llm2clip/client resolves to its TypeScript sources (client/package.json);
// the rest are Vite's default server conditions, which setting the list replaces.
const conditions = ["llm2clip-source", "module", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["client/test/**/*.test.ts", "server/test/**/*.test.ts", "extension/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
