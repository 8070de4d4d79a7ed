// `npm test`: the system setup, then every suite. A failing suite does not stop the ones after it; the summary names
// each suite's result, and the exit status is non-zero when any failed.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(ROOT, "node_modules", ".bin", name);

const SETUP = { name: "system setup", command: [process.execPath, "test/setup.mjs"] };
const SUITES = [
  { name: "typecheck", command: [bin("tsc"), "-p", "tsconfig.json", "--noEmit"] },
  { name: "TypeScript tests", command: [bin("vitest"), "run"] },
  { name: "mutation score, quick subset", command: [process.execPath, "test/mutation/run.mjs", "--quick"] },
  { name: "Python tests", command: ["/usr/bin/python3", "-m", "unittest", "discover", "-s", "tests", "-t", "."], cwd: "models" },
];

function run({ name, command: [file, ...args], cwd = "." }) {
  console.log(`\n=== ${name}: ${[path.relative(ROOT, file) || file, ...args].join(" ")}`);
  const started = Date.now();
  const result = spawnSync(file, args, { cwd: path.join(ROOT, cwd), stdio: "inherit" });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const outcome = result.error ? `failed to start: ${result.error.message}` : result.status === 0 ? "passed" : `FAILED (exit ${result.status ?? result.signal})`;
  return { name, ok: !result.error && result.status === 0, outcome, seconds };
}

function summarise(results) {
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`\n=== npm test: ${results.filter((r) => r.ok).length} of ${results.length} passed`);
  for (const r of results) console.log(`  ${r.name.padEnd(width)}  ${r.outcome}, ${r.seconds} s`);
}

const setup = run(SETUP);
const results = setup.ok ? [setup, ...SUITES.map(run)] : [setup];
if (!setup.ok) console.log("\nThe suites did not run: the system setup above says what is missing.");
summarise(results);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
