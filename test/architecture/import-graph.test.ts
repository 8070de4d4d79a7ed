import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importsUnder, violations, type Rule } from "./import-graph";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

const RULES: Rule[] = [
  {
    from: ["extension", "client"],
    forbidden: ["server", "@llm2clip/server"],
    why: "the extension and the CLI reach the daemon through @llm2clip/client and the proto only",
  },
  {
    from: ["server/src/store"],
    forbidden: ["proto", "@llm2clip/proto", "@grpc/*", "grpc-health-check", "onnxruntime-node", "server/src/runtime", "server/src/model", "server/src/grpc"],
    why: "the store exposes collections and transactions, and declares the interfaces it needs (store/scan.ts)",
  },
  {
    from: ["server"],
    forbidden: ["client", "extension", "@llm2clip/client"],
    why: "the daemon depends on the proto only",
  },
];

describe("the import graph", () => {
  it("follows the layering rules", () => {
    const imports = importsUnder(REPO_ROOT, ["client", "extension", "server"]);
    expect(imports.length).toBeGreaterThan(200);
    expect(violations(imports, RULES)).toEqual([]);
  });

  describe("catches a planted violation", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "import-graph-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const plant = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    };
    plant("extension/src/a.ts", 'import { x } from "../../server/src/cli/files";\n');
    plant("client/src/cli/b.ts", 'export { y } from "../../../server/src/alttext/references";\n');
    plant("client/src/c.ts", 'const z = await import("../../server/src/store/names");\n');
    plant("server/src/store/d.ts", 'import type { MatrixScan } from "../runtime/matrix-scan";\nimport { status } from "@grpc/grpc-js";\n');
    plant("server/src/store/e.ts", 'import type { ImageEmbedding } from "../model/types";\nimport { Llm2ClipClient } from "@llm2clip/proto";\n');
    plant("server/src/store/f.ts", 'import { createHash } from "node:crypto";\nimport Database from "better-sqlite3";\nimport { storeError } from "./sqlite-errors";\n');
    plant("server/src/grpc/g.ts", 'import { Llm2ClipClient } from "@llm2clip/proto";\nimport { names } from "../store/names";\n');

    it("reports each forbidden import and nothing else", () => {
      const found = violations(importsUnder(root, ["client", "extension", "server"]), RULES).map((line) => line.split(":")[0]).sort();
      expect(found).toEqual([
        "client/src/c.ts imports ../../server/src/store/names",
        "client/src/cli/b.ts imports ../../../server/src/alttext/references",
        "extension/src/a.ts imports ../../server/src/cli/files",
        "server/src/store/d.ts imports ../runtime/matrix-scan",
        "server/src/store/d.ts imports @grpc/grpc-js",
        "server/src/store/e.ts imports ../model/types",
        "server/src/store/e.ts imports @llm2clip/proto",
      ]);
    });
  });
});
