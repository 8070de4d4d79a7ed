// lint-alt with no daemon: every image reference is checked from the markup and the image file alone, unreadable
// images are findings, and the model's checks are skipped with one line. Real files in a temporary folder; the daemon
// address is a loopback port where nothing listens.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { altTextAntiPattern } from "../../src/documents/alt-rules";
import { unreadableReason } from "../../src/image-readability";
import { main } from "../../src/cli/main";

let ws: string;
let deadServer: string;

const DOC = `# Docs

![](/assets/admin-roles-new-ui.png)

<img src='/assets/android/welcome.png'>

![](https://example.com/remote.png)

![](img/absent.png)

![Admin roles](/assets/admin-roles-new-ui.png)

![A diagram of the sync](img/lfs.png)

![A chart](img/empty.png)

![A chart](img/truncated.png)

![Anchor](#anchor)

![Query](?x=1)

![Folder](img/)

![screenshot.png](img/ok.png)

![Screenshot](img/ok.png)

![Image of the settings page](img/ok.png)

![Screenshot of the settings page](img/ok.png)

![A blue rectangle](img/ok.png)
`;

async function run(args: string[], cwd = ws): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io = {
    cwd,
    stdout: { write: (chunk: string) => ((stdout += chunk), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (chunk: string) => ((stderr += chunk), true) } as unknown as NodeJS.WritableStream,
  };
  const code = await main(["--server", deadServer, ...args], {}, io);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  ws = mkdtempSync(path.join(os.tmpdir(), "llm2clip-lint-offline-"));
  mkdirSync(path.join(ws, "static", "assets"), { recursive: true });
  mkdirSync(path.join(ws, "img"));
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#3366cc" } }).png().toBuffer();
  writeFileSync(path.join(ws, "static", "assets", "admin-roles-new-ui.png"), png);
  writeFileSync(path.join(ws, "img", "ok.png"), png);
  writeFileSync(path.join(ws, "img", "truncated.png"), png.subarray(0, png.length - 20));
  writeFileSync(path.join(ws, "img", "empty.png"), "");
  writeFileSync(path.join(ws, "img", "lfs.png"), "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a2146\nsize 12345\n");
  writeFileSync(path.join(ws, "docs.md"), DOC);
  // A port that was free a moment ago: connection refused, as with no daemon.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  deadServer = `127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise((resolve) => probe.close(resolve));
});

afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe("lint-alt without a daemon", () => {
  it("reports every finding from the markup and the files, says the model was skipped, and fails on errors", async () => {
    const { code, stdout, stderr } = await run(["lint-alt", "docs.md", "--format", "json"]);
    const report = JSON.parse(stdout);
    const found = report.problems.map((p: { line: number; rule: string; severity: string }) => `${p.line} ${p.rule} ${p.severity}`);
    expect(found).toEqual([
      "3 alt-missing error",
      "5 alt-missing error",
      "5 image-unreadable warning",
      "7 alt-missing error",
      "9 alt-missing error",
      "9 image-unreadable warning",
      "13 image-unreadable warning",
      "15 image-unreadable warning",
      "17 image-unreadable warning",
      "19 image-unreadable warning",
      "21 image-unreadable warning",
      "23 image-unreadable warning",
      "25 alt-file-name error",
      "27 alt-placeholder error",
      "29 alt-redundant-prefix error",
    ]);
    const message = (line: number) => report.problems.find((p: { line: number; rule: string }) => p.line === line && p.rule === "image-unreadable").message;
    expect(message(5)).toBe("image not readable: file not found");
    expect(message(13)).toMatch(/Git LFS pointer/);
    expect(message(15)).toMatch(/empty file/);
    expect(message(17)).toMatch(/truncated PNG/);
    for (const line of [19, 21, 23]) expect(message(line)).toMatch(/folder/);
    expect(report.model).toEqual({ ran: false, skipped: expect.stringContaining(`no daemon answered at ${deadServer}`), domain: null });
    expect(report.notes).toContain("site root: static/ (detected; 2 of 3 site-rooted image references found there)");
    expect(stderr).toMatch(/model checks skipped: no daemon answered/);
    expect(code).toBe(1);
  });

  it("prints each finding with its severity and rule, then the notes and the counts", async () => {
    const { stdout } = await run(["lint-alt", "docs.md"]);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("docs.md:3:1  error    alt-missing           /assets/admin-roles-new-ui.png has no alt text");
    expect(lines.at(-3)).toBe("site root: static/ (detected; 2 of 3 site-rooted image references found there)");
    expect(lines.at(-2)).toMatch(/^model checks skipped: no daemon answered at .*; only the model-free rules ran$/);
    expect(lines.at(-1)).toBe("15 problems (7 errors, 8 warnings, 0 info) in 16 image references");
  });

  it("--root overrides the detection; --fail-on decides the exit status", async () => {
    writeFileSync(path.join(ws, "clean.md"), "![Admin roles](/assets/admin-roles-new-ui.png)\n\n![Anchor](#anchor)\n");
    const detected = await run(["lint-alt", "clean.md"]);
    expect(detected.code).toBe(0);
    expect(detected.stdout).toContain("1 problem (0 errors, 1 warning, 0 info)");
    expect((await run(["lint-alt", "clean.md", "--fail-on", "warning"])).code).toBe(1);
    const rooted = await run(["lint-alt", "clean.md", "--root", "."]);
    expect(rooted.stdout).toContain("site root: ./ (--root; 0 of 1 site-rooted image references found there)");
    expect(rooted.stdout).toContain("2 problems (0 errors, 2 warnings, 0 info)");
    expect(rooted.code).toBe(0);
    const bad = await run(["lint-alt", "clean.md", "--fail-on", "fatal"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--fail-on must be one of error, warning, info");
  });

  it("writes SARIF levels from the severities and the skipped model as a notification", async () => {
    const { stdout } = await run(["lint-alt", "docs.md", "--format", "sarif"]);
    const run0 = JSON.parse(stdout).runs[0];
    const levels = new Map(run0.results.map((r: { ruleId: string; level: string }) => [r.ruleId, r.level]));
    expect(Object.fromEntries(levels)).toEqual({
      "alt-missing": "error",
      "image-unreadable": "warning",
      "alt-file-name": "error",
      "alt-placeholder": "error",
      "alt-redundant-prefix": "error",
    });
    const rules = Object.fromEntries(run0.tool.driver.rules.map((r: { id: string; defaultConfiguration: { level: string } }) => [r.id, r.defaultConfiguration.level]));
    expect(rules).toMatchObject({ "alt-mismatch": "warning", "alt-weak": "note", "alt-missing": "error" });
    expect(run0.invocations[0].toolExecutionNotifications.map((n: { message: { text: string } }) => n.message.text)).toContainEqual(
      expect.stringMatching(/^model checks skipped/),
    );
  });
});

describe("readability and anti-patterns", () => {
  it("refuses an image over the pixel limit from its header alone", async () => {
    expect(await unreadableReason(path.join(ws, "img", "ok.png"), 1000)).toBe("40x30 = 1200 pixels, over the limit of 1000");
    expect(await unreadableReason(path.join(ws, "img", "ok.png"))).toBeUndefined();
  });

  it("tells file names, placeholders and redundant prefixes from real descriptions", () => {
    const rule = (alt: string, src = "img/admin-roles.png") => altTextAntiPattern(alt, src)?.rule;
    expect(rule("admin-roles.png")).toBe("alt-file-name");
    expect(rule("Admin-Roles")).toBe("alt-file-name");
    expect(rule("IMG_2041.JPG", "a.png")).toBe("alt-file-name");
    expect(rule("image")).toBe("alt-placeholder");
    expect(rule("Screenshot 2")).toBe("alt-placeholder");
    expect(rule("Picture:")).toBe("alt-placeholder");
    expect(rule("截图")).toBe("alt-placeholder");
    expect(rule("An image of a red circle")).toBe("alt-redundant-prefix");
    expect(rule("picture of the build page")).toBe("alt-redundant-prefix");
    expect(rule("Screenshot of the settings page")).toBeUndefined();
    expect(rule("The admin roles page with two roles")).toBeUndefined();
    expect(rule("Imagery of the coast")).toBeUndefined();
  });
});
