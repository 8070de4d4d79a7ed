// The example in client/README.md, run as a user would: from the package `npm pack -w client` makes, with plain Node,
// against a real daemon on loopback with the tiny model. The example is read from the README, not copied here.
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR, REPO_ROOT, startDaemon, type RunningDaemon } from "../support/daemon";

const CLIENT_DIR = path.join(REPO_ROOT, "client");
let daemon: RunningDaemon;
let work: string;
let packed: string[];

/** The first ```js block of the README. */
function readmeExample(): string {
  const readme = readFileSync(path.join(CLIENT_DIR, "README.md"), "utf8");
  const match = /^```js\n([\s\S]*?)^```$/m.exec(readme);
  if (!match) throw new Error("client/README.md has no ```js example");
  return match[1]!;
}

beforeAll(async () => {
  daemon = await startDaemon();
  // Inside the repository, so that the package's own dependencies resolve from node_modules as they would after
  // `npm install`; the packed package itself is found first, in work/node_modules.
  mkdirSync(path.join(CLIENT_DIR, "dist"), { recursive: true });
  work = mkdtempSync(path.join(CLIENT_DIR, "dist", ".test-pack-"));
  const [{ filename, files }] = JSON.parse(
    execFileSync("npm", ["pack", "-w", "client", "--json", "--pack-destination", work], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
  ) as { filename: string; files: { path: string }[] }[];
  packed = files.map((file) => file.path);
  const installed = path.join(work, "node_modules/@llm2clip/client");
  mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["-xzf", path.join(work, filename), "-C", installed, "--strip-components=1"]);
  copyFileSync(path.join(DEFAULT_MODEL_DIR, "samples/self-check.png"), path.join(work, "photo.png"));
  writeFileSync(path.join(work, "example.mjs"), readmeExample());
}, 600_000);

afterAll(async () => {
  await daemon?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

it("packs the built library, its declarations, the CLI and the README, and no sources", () => {
  expect(packed).toEqual(expect.arrayContaining(["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/llm2clip.js", "dist/types/client/src/index.d.ts", "dist/types/proto/llm2clip/v1/llm2clip.d.ts"]));
  expect(packed.filter((file) => file.startsWith("src/") || file.endsWith(".test.ts"))).toEqual([]);
});

it("keeps the README example within 20 lines", () => {
  expect(readmeExample().trimEnd().split("\n").length).toBeLessThanOrEqual(20);
});

it("runs the README example: it scores, syncs and finds the image", async () => {
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ["example.mjs", "photo.png"], { cwd: work, env: { ...process.env, LLM2CLIP_SERVER: daemon.address } }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
    ),
  );
  const lines = stdout.trim().split("\n");
  const probabilities = lines.slice(0, 2).map((line) => /^(a red circle|a dog): (\d\.\d{3})$/.exec(line));
  expect(probabilities.map((match) => match?.[1])).toEqual(["a red circle", "a dog"]);
  const sum = probabilities.reduce((total, match) => total + Number(match![2]), 0);
  expect(sum).toBeCloseTo(1, 2);
  expect(lines[2]).toBe("synced: 1 added, 1 in the collection");
  expect(lines.slice(3)).toHaveLength(1);
  expect(lines[3]).toMatch(/^-?\d\.\d{3} photo\.png$/);
});
