// The README's first example, run as written against the embedded model: the caption it puts first must win, with
// the probability the README states. A retrained model that reads the example differently fails here, not in a newcomer's hands.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../support/cli";
import { REPO_ROOT, startDaemon, type RunningDaemon } from "../support/daemon";

const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
const command = /^node client\/dist\/llm2clip\.js score ((?:.*\\\n)*.*)$/m.exec(readme)?.[1]?.replace(/\\\n\s*/g, " ");
const [image, ...captions] = [...(command ?? "").matchAll(/"([^"]+)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
const statedProbability = Number(/gives the first caption a probability of (\d\.\d+)/.exec(readme)?.[1]);

let daemon: RunningDaemon;
beforeAll(async () => {
  daemon = await startDaemon();
});
afterAll(async () => {
  await daemon?.stop();
});

it("the README's score example ranks its first caption first, with the probability the README states", async () => {
  expect(image).toMatch(/\.png$/);
  expect(captions.length).toBeGreaterThan(1);
  const result = await runCli(["--server", daemon.address, "score", "--json", image!, ...captions], REPO_ROOT);
  expect(result.code, result.stderr).toBe(0);
  const { scores } = JSON.parse(result.stdout) as { scores: { caption: string; probability: number }[] };
  const best = scores.reduce((a, b) => (b.probability > a.probability ? b : a));
  expect(best.caption).toBe(captions[0]);
  expect(Math.abs(best.probability - statedProbability)).toBeLessThan(0.01);
});
