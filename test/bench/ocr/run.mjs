// `node test/bench/ocr/run.mjs capture`: takes the real VS Code screenshots (capture-screenshots.ts).
// `node test/bench/ocr/run.mjs search`: hybrid search hit@1 on quoted text (search-bench.ts), written to search-results.md.
// `node test/bench/ocr/run.mjs auto`: how right --ocr auto's choice is (auto-bench.ts), written to auto-results.md.
// `node test/bench/ocr/run.mjs [--rounds N]`: the OCR benchmark (ocr-bench.ts), written to results.md.
// Both are bundled first; each module keeps its own __dirname, which the code-server helpers of test/e2e rely on.
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";

const here = import.meta.dirname;
const [command, ...rest] = process.argv.slice(2);
const ENTRIES = { capture: "capture-screenshots.ts", search: "search-bench.ts", auto: "auto-bench.ts" };
const entry = ENTRIES[command] ?? "ocr-bench.ts";
const args = ENTRIES[command] ? rest : process.argv.slice(2);
const outfile = path.join(here, "../../.artifacts", entry.replace(/\.ts$/, ".cjs"));

const ownDirname = {
  name: "own-dirname",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (file) => ({
      contents: (await readFile(file.path, "utf8")).replace(/\b__dirname\b/g, JSON.stringify(path.dirname(file.path))),
      loader: "ts",
    }));
  },
};

await build({
  entryPoints: [path.join(here, entry)],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  packages: "external",
  plugins: [ownDirname],
  logLevel: "warning",
});
execFileSync(process.execPath, [outfile, ...args], { stdio: "inherit" });
