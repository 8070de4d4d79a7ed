// `npm run test:mutation [-- MODULE... | --quick] [--incremental] [--force] [--before]`: scores each module of
// ./modules.mjs with StrykerJS, one Stryker run per module against that module's own test files, then rewrites
// ./SUMMARY.md from ./scores.json.
//   --quick        the modules marked quick, testing only what changed since their committed baseline
//                  (./baseline), writing nothing committed: the check that `npm test` runs
//   --incremental  reuse the results of unchanged mutants and tests from this checkout's last run
//                  (test/.artifacts/mutation); without it every mutant is tested
//   --force        with --incremental, test every mutant again
//   --before       record the figures as the module's starting point rather than its current score
//   --render       only rewrite SUMMARY.md from scores.json
// Exits non-zero when a scored module is under the 80% target.
import { Stryker } from "@stryker-mutator/core";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_TIMEOUT_MS, MODULES } from "./modules.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SCORES_FILE = path.join(ROOT, "test/mutation/scores.json");
const SUMMARY_FILE = path.join(ROOT, "test/mutation/SUMMARY.md");
const BASELINE_DIR = path.join(ROOT, "test/mutation/baseline");
const ARTIFACTS = path.join(ROOT, "test/.artifacts/mutation");
const SCRATCH_TMPFS = "/dev/shm";
const TARGET = 80;

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const named = args.filter((a) => !a.startsWith("--"));
const unknown = named.filter((id) => !MODULES.some((m) => m.id === id));
if (unknown.length > 0) {
  console.error(`unknown module ${unknown.join(", ")}; the modules are ${MODULES.map((m) => m.id).join(", ")}`);
  process.exit(2);
}
const selected = MODULES.filter((m) => (named.length > 0 ? named.includes(m.id) : flag("--quick") ? m.quick : true));

function figuresOf(results, seconds, incremental) {
  const count = (status) => results.filter((r) => r.status === status).length;
  const killed = count("Killed");
  const timeout = count("Timeout");
  const survived = count("Survived");
  const noCoverage = count("NoCoverage");
  const detected = killed + timeout;
  const valid = detected + survived + noCoverage;
  const where = (r) => `${path.relative(ROOT, r.fileName)}:${r.location.start.line}`;
  // The first line of the replacement that is code: a mutated node's text starts with any comment above it.
  const firstCodeLine = (r) => r.replacement.split("\n").find((line) => !line.trim().startsWith("//")) ?? "";
  const describe = (r) => ({ at: where(r), mutator: r.mutatorName, replacement: firstCodeLine(r).trim().slice(0, 80) });
  return {
    score: valid === 0 ? null : Math.round((1000 * detected) / valid) / 10,
    mutants: results.length,
    killed,
    survived,
    noCoverage,
    timeout,
    errors: count("CompileError") + count("RuntimeError"),
    ignored: count("Ignored"),
    seconds: Math.round(seconds),
    run: incremental ? "incremental" : "full",
    date: new Date().toISOString().slice(0, 10),
    undetected: results.filter((r) => r.status === "Survived" || r.status === "NoCoverage").map((r) => ({ ...describe(r), status: r.status })),
    accepted: results.filter((r) => r.status === "Ignored").map((r) => ({ ...describe(r), reason: r.statusReason ?? "" })),
  };
}

/**
 * Every run but --quick keeps Stryker's incremental report of the module under test/.artifacts/mutation; a module
 * marked quick also gets it committed as its baseline, so that `npm test` on a clean clone tests only the mutants
 * and tests that changed since (Stryker's incremental mode) instead of every mutant.
 */
async function score(module) {
  const quick = flag("--quick");
  const baseline = path.join(BASELINE_DIR, `${module.id}.json`);
  const incrementalFile = path.join(ARTIFACTS, `${module.id}.${quick ? "quick" : "incremental"}.json`);
  mkdirSync(ARTIFACTS, { recursive: true });
  if (quick) {
    rmSync(incrementalFile, { force: true });
    if (existsSync(baseline)) copyFileSync(baseline, incrementalFile);
  }
  // Without --incremental a run tests every mutant, and still writes the report later runs can build on.
  const reuse = quick || (flag("--incremental") && !flag("--force"));
  const started = Date.now();
  // Read by test/mutation/vitest.config.mts in Stryker's test runner processes, which inherit the environment.
  process.env.LLM2CLIP_MUTATION_TESTS = module.testFiles.join(",");
  // The tests' scratch folders (os.tmpdir()) go on tmpfs where there is one: the fsync of every SQLite commit
  // (synchronous = FULL) then costs nothing, and was most of the time a collection mutant's tests took.
  if (existsSync(SCRATCH_TMPFS)) process.env.TMPDIR = SCRATCH_TMPFS;
  const stryker = new Stryker({
    configFile: path.join(ROOT, "stryker.config.json"),
    mutate: module.mutate,
    incremental: true,
    force: !reuse,
    incrementalFile,
    timeoutMS: module.timeoutMS ?? DEFAULT_TIMEOUT_MS,
  });
  const results = await stryker.runMutationTest();
  if (module.quick && !quick) {
    // The machine-specific parts of the report (its absolute root, the resolved options) are not needed to reuse it.
    const { projectRoot, config, ...report } = JSON.parse(readFileSync(incrementalFile, "utf8"));
    mkdirSync(BASELINE_DIR, { recursive: true });
    writeFileSync(baseline, `${JSON.stringify(report, null, 1)}\n`);
  }
  return figuresOf(results, (Date.now() - started) / 1000, reuse);
}

const code = (text) => (text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``);
const cell = (figures, key) => (figures ? String(figures[key]) : "–");
const percent = (figures) => (figures?.score == null ? "–" : `${figures.score.toFixed(1)}%`);

function render(scores) {
  const lines = [
    "# Mutation testing summary",
    "",
    "Written by `npm run test:mutation` (test/mutation/run.mjs) from test/mutation/scores.json; do not edit by hand.",
    `Each module is mutated by StrykerJS and scored only against its own test files (test/mutation/modules.mjs). Score =`,
    "(killed + timeout) / (killed + timeout + survived + no coverage). Equivalent mutants are disabled in the source with",
    "a `// Stryker disable` comment that gives the reason; they count as ignored and are listed below. Target: ≥ 80%.",
    "",
    "| Module | Before | After | Mutants | Killed | Survived | No coverage | Timeout | Errors (not scored) | Ignored (equivalent) | Run time | Run | Date |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
  ];
  for (const { id } of MODULES) {
    const { before, after } = scores[id] ?? {};
    lines.push(
      `| ${id} | ${percent(before)} | ${percent(after)} | ${cell(after, "mutants")} | ${cell(after, "killed")} | ${cell(after, "survived")} | ` +
        `${cell(after, "noCoverage")} | ${cell(after, "timeout")} | ${cell(after, "errors")} | ${cell(after, "ignored")} | ${after ? `${after.seconds} s` : "–"} | ` +
        `${after?.run ?? "–"} | ${after?.date ?? "–"} |`,
    );
  }
  lines.push("", "Before: the module's score with the tests it had when it joined the mutation run. –: not measured yet.", "");
  const notes = MODULES.flatMap(({ id }) => {
    const { notes: unscored = [], before, after } = scores[id] ?? {};
    const noted = (figures, label) => (figures?.notes ?? []).map((note) => `- ${id}, ${label}: ${note}`);
    return [...unscored.map((note) => `- ${id}: ${note}`), ...noted(before, "before"), ...noted(after, "after")];
  });
  if (notes.length > 0) lines.push("Notes on the figures (kept in scores.json):", "", ...notes, "");
  const section = (title, key, format) => {
    const rows = MODULES.flatMap(({ id }) => (scores[id]?.after?.[key] ?? []).map((m) => format(id, m)));
    lines.push(`## ${title}`, "", ...(rows.length > 0 ? rows : ["None."]), "");
  };
  section("Accepted survivors (equivalent mutants)", "accepted", (id, m) => `- ${id}: \`${m.at}\` ${m.mutator} ${code(m.replacement)} — ${m.reason}`);
  section("Undetected mutants", "undetected", (id, m) => `- ${id}: \`${m.at}\` ${m.mutator} ${code(m.replacement)} (${m.status})`);
  return lines.join("\n");
}

if (flag("--render")) {
  writeFileSync(SUMMARY_FILE, render(JSON.parse(readFileSync(SCORES_FILE, "utf8"))));
  process.exit(0);
}
const short = [];
for (const module of selected) {
  const figures = await score(module);
  // Read just before writing, so that runs of other modules that ended meanwhile are kept.
  const scores = JSON.parse(readFileSync(SCORES_FILE, "utf8"));
  // Notes on a module (why it has no figures) or on a figure (how it was measured) go with what they describe.
  const recorded = { ...scores[module.id] };
  delete recorded.notes;
  scores[module.id] = { ...recorded, [flag("--before") ? "before" : "after"]: figures };
  if (flag("--before") && !scores[module.id].after) scores[module.id].after = figures;
  if (!flag("--quick")) {
    writeFileSync(SCORES_FILE, `${JSON.stringify(scores, null, 2)}\n`);
    writeFileSync(SUMMARY_FILE, render(scores));
  }
  console.log(`mutation score of ${module.id}: ${percent(figures)} (${figures.killed + figures.timeout} of ${figures.killed + figures.timeout + figures.survived + figures.noCoverage} detected) in ${figures.seconds} s`);
  if (figures.score !== null && figures.score < TARGET) short.push(`${module.id} ${percent(figures)}`);
}
if (short.length > 0) {
  console.error(`under the ${TARGET}% mutation score target: ${short.join(", ")}`);
  process.exitCode = 1;
}
