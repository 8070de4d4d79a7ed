// Builds the package's two products into dist/:
// - index.js and index.d.ts (with types/): the library, for programs that use llm2clipd. The generated contract
//   (@llm2clip/proto, a workspace package that is not published) is bundled into it, declarations included;
// - llm2clip.js: the CLI, the package's bin.
// Inside this repository the workspace resolves @llm2clip/client to src/ (the `llm2clip-source` export condition), so
// nothing needs this build but the CLI's users and `npm pack`.
// `node build.mjs --outdir <dir> --only cli` builds the CLI alone elsewhere (the tests build their own copy); the
// directory must lie inside the repository, so that the external packages resolve from node_modules.
import { execFileSync } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const { values } = parseArgs({ options: { outdir: { type: "string", default: "dist" }, only: { type: "string" } } });
const here = import.meta.dirname;
const outdir = path.resolve(here, values.outdir);
const node = { bundle: true, platform: "node", target: "node20", format: "cjs", sourcemap: true, logLevel: "warning" };

await build({
  ...node,
  entryPoints: { llm2clip: path.join(here, "src/cli/llm2clip.ts") },
  outdir,
  banner: { js: "#!/usr/bin/env node" },
  external: ["@grpc/*"],
});
// The package's bin: npm links it at install time, before it exists to be made executable.
chmodSync(path.join(outdir, "llm2clip.js"), 0o755);

if (values.only !== "cli") {
  const { dependencies } = JSON.parse(readFileSync(path.join(here, "package.json"), "utf8"));
  await build({
    ...node,
    entryPoints: { index: path.join(here, "src/index.ts") },
    outdir,
    conditions: ["llm2clip-source"],
    // The runtime dependencies a user installs with the package stay outside; the contract and the document parsers'
    // packages (devDependencies) are bundled.
    external: Object.keys(dependencies),
  });
  const types = path.join(outdir, "types");
  rmSync(types, { recursive: true, force: true });
  execFileSync(process.execPath, [path.join(here, "../node_modules/typescript/bin/tsc"), "-p", path.join(here, "tsconfig.types.json"), "--outDir", types], { stdio: "inherit" });
  // tsc keeps module specifiers as written: point the bundled contract's at its declarations.
  const contract = path.join(types, "proto/llm2clip/v1/llm2clip");
  for (const file of readdirSync(path.join(types, "client"), { recursive: true, withFileTypes: true })) {
    if (!file.isFile() || !file.name.endsWith(".d.ts")) continue;
    const full = path.join(file.parentPath, file.name);
    const relative = path.relative(file.parentPath, contract);
    writeFileSync(full, readFileSync(full, "utf8").replaceAll('"@llm2clip/proto"', JSON.stringify(relative.startsWith(".") ? relative : `./${relative}`)));
  }
  writeFileSync(path.join(outdir, "index.d.ts"), 'export * from "./types/client/src/index";\n');
}
