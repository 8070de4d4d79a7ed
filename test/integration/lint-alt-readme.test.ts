// Issue 16's target: a repository whose alt texts are all present and right passes lint-alt by default with the
// embedded model. This project's own README, whose screenshots of the editor lie outside the tiny model's scene
// domain: the model's verdicts on them are reported as info, with the domain notice, and never fail the run.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli";
import { REPO_ROOT, startDaemon, type RunningDaemon } from "../support/daemon";

let daemon: RunningDaemon;

beforeAll(async () => {
  daemon = await startDaemon(["--model", path.join(REPO_ROOT, "models", "tiny-llm2clip")]);
}, 120_000);

afterAll(async () => daemon?.stop());

describe("lint-alt on this project's README with the embedded model", () => {
  it("exits 0; verdicts on images outside the model's domain are info and say so", async () => {
    const result = await runCli(["--server", daemon.address, "lint-alt", "README.md", "--format", "json"], REPO_ROOT);
    const report = JSON.parse(result.stdout);
    console.log(
      `lint-alt README.md: ${report.references} references, ${report.judged} judged; ` +
        report.problems.map((p: { image: string; rule: string; severity: string; domain: { inDomain: boolean; distance: number } | null }) =>
          `${path.basename(p.image)} ${p.rule} ${p.severity} ${p.domain?.inDomain ? "inside" : "outside"} (${p.domain?.distance.toFixed(2)})`,
        ).join("; "),
    );
    expect(report.model.ran).toBe(true);
    expect(report.model.domain).toMatch(/flat shapes/);
    expect(report.judged).toBe(report.references);
    expect(report.counts.error).toBe(0);
    for (const problem of report.problems) {
      expect(["alt-mismatch", "alt-weak"]).toContain(problem.rule);
      if (!problem.domain.inDomain) {
        expect(problem.severity).toBe("info");
        expect(problem.message).toMatch(/outside the model's domain: distance [\d.]+ > [\d.]+/);
      }
    }
    const outside = report.problems.filter((p: { domain: { inDomain: boolean } }) => !p.domain.inDomain).length;
    if (outside > 0) expect(report.notes.join("\n")).toMatch(/on images outside the model's domain \(synthetic scenes/);
    expect(result.code).toBe(0);
  }, 120_000);
});
