// End to end: the packaged extension in code-server 4.100.3, driven through Chromium. The extension starts its own
// daemon (llm2clip.daemon.autoStart) with the shipped model, indexes a copy of the sample docs, finds an image by
// description, and fixes a planted wrong alt text with its quick fix. Screenshots go to test/.artifacts/e2e/screenshots
// (npm run screenshots refreshes the README's, in screenshots/).
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { findImageReferences } from "@llm2clip/client";
import { CodeServer, freePort } from "./support/code-server";
import { packageExtension, REPO_ROOT } from "./support/extension-package";
import { pidsWithArgument } from "./support/processes";
import { autoStartSettings } from "./support/settings";
import { confirmedQuery } from "./support/confirmed-query";
import { describedScenes, plantedWrongAlt, readAnswers } from "./support/sample-answers";
import { FAILURE_SCREENSHOTS, Workbench } from "./support/workbench";

// The shipped model and its sample docs; LLM2CLIP_E2E_MODEL points the run at another model folder with samples/.
const MODEL_DIR = process.env.LLM2CLIP_E2E_MODEL ?? path.join(REPO_ROOT, "models", "tiny-llm2clip");
const SAMPLES = path.join(MODEL_DIR, "samples");
const answers = readAnswers(SAMPLES);
const { markdown: PLANTED_DOC, alt: PLANTED_ALT } = plantedWrongAlt(answers, SAMPLES);

describe("the extension in code-server", () => {
  let scratch: string;
  let server: CodeServer;
  let workbench: Workbench;
  let workspace: string;
  let daemonData: string;
  /** A description and the image it names, which the daemon ranks first (see confirmed-query.ts). */
  let QUERY: string;
  let EXPECTED_FIRST: string;
  const started = Date.now();

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), "llm2clip-e2e-"));
    workspace = path.join(scratch, "workspace");
    daemonData = path.join(scratch, "daemon-data");
    cpSync(SAMPLES, workspace, { recursive: true });
    const daemonPort = await freePort();
    server = await CodeServer.start({
      root: scratch,
      extensions: [packageExtension()],
      settings: autoStartSettings(daemonPort, MODEL_DIR, daemonData),
    });
    const opened = Date.now();
    workbench = await Workbench.open(server.folderUrl(workspace), path.join(scratch, "chromium"));
    const shown = Date.now();
    await workbench.statusItem(/LLM2CLIP: \d+ images/).waitFor({ timeout: 180_000 });
    const status = await workbench.statusItem(/LLM2CLIP/).first().innerText();
    console.log(`e2e: workspace opened -> workbench shown ${shown - opened} ms -> sample set indexed ${Date.now() - opened} ms (${status.trim()})`);
    await workbench.screenshot("indexed");
    ({ query: QUERY, image: EXPECTED_FIRST } = await confirmedQuery(`127.0.0.1:${daemonPort}`, describedScenes(answers)));
  }, 600_000);

  // Each test starts from the editor with nothing open over it, connected to the daemon with the workspace indexed.
  beforeEach(async () => {
    await workbench.dismissOverlays();
    await workbench.statusItem(/LLM2CLIP: \d+ images/).waitFor({ timeout: 120_000 });
  });

  /** The extension's output channel, as the editor writes it to its log folder. */
  const extensionLogFiles = () => {
    const logs = path.join(scratch, "user-data", "logs");
    return readdirSync(logs, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith("LLM2CLIP.log"))
      .map((file) => path.join(logs, file));
  };
  const extensionLog = () => extensionLogFiles().map((file) => readFileSync(file, "utf8")).join("");

  afterEach(async (context) => {
    if (context.task.result?.state !== "fail") return;
    const name = context.task.name.replace(/\W+/g, "-");
    await workbench?.screenshot(name, FAILURE_SCREENSHOTS);
    for (const log of extensionLogFiles()) copyFileSync(log, path.join(FAILURE_SCREENSHOTS, `${name}.log`));
  });

  afterAll(async () => {
    await workbench?.close();
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    console.log(`e2e: total ${Date.now() - started} ms`);
  });

  it("finds the image that a description names, first, in the Search Images quick pick, and inserts a reference to it", async () => {
    const readme = path.join(workspace, "README.md");
    await workbench.openFile("README.md");
    await workbench.page.keyboard.press("Control+End");
    await workbench.runCommand("LLM2CLIP: Search Images");
    await workbench.quickInput.locator("input").fill(QUERY);
    const first = workbench.quickInputRows().first();
    await first.filter({ hasText: "score" }).waitFor({ timeout: 30_000 });
    await workbench.screenshot("search-quick-pick");
    expect(await first.innerText()).toContain(EXPECTED_FIRST);

    await first.locator(".action-label").click();
    await workbench.runCommand("File: Save");
    await expect.poll(() => readFileSync(readme, "utf8"), { timeout: 10_000 }).toContain(`![${QUERY}](./${EXPECTED_FIRST})`);
  });

  it("shows the same answer in the gallery view", async () => {
    await workbench.runCommand("Focus on Image Gallery View");
    const gallery = workbench.page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
    await gallery.locator("#query").fill(QUERY);
    const firstTile = gallery.locator("#grid li").first();
    await firstTile.waitFor({ timeout: 30_000 });
    await gallery.locator("#grid img[src]").first().waitFor({ timeout: 10_000 });
    await workbench.screenshot("gallery");
    expect(await firstTile.innerText()).toContain(path.posix.basename(EXPECTED_FIRST));
  });

  it("finds images similar to an image from the Explorer's context menu, the image itself first", async () => {
    await workbench.openFile(EXPECTED_FIRST);
    await workbench.runCommand("File: Reveal Active File in Explorer View");
    const row = workbench.page.locator(".explorer-folders-view .monaco-list-row").filter({ hasText: path.posix.basename(EXPECTED_FIRST) });
    const title = workbench.quickInput.locator(".quick-input-title").filter({ hasText: `similar to ${path.posix.basename(EXPECTED_FIRST)}` });
    await workbench.contextMenuCommand(row, "Find Similar Images", title);
    const first = workbench.quickInputRows().first();
    await first.filter({ hasText: "score" }).waitFor({ timeout: 30_000 });
    await workbench.screenshot("find-similar");
    expect(await first.innerText()).toContain(EXPECTED_FIRST);
    await workbench.page.keyboard.press("Escape");
  });

  it("indexes an image added to the workspace, through the file watcher", async () => {
    const count = async () => Number(/LLM2CLIP: (\d+) images/.exec(await workbench.statusItem(/LLM2CLIP/).first().innerText())?.[1]);
    const before = await count();
    copyFileSync(path.join(workspace, EXPECTED_FIRST), path.join(workspace, "images", "added-copy.png"));
    await expect.poll(count, { timeout: 30_000 }).toBe(before + 1);
  });

  it("starts its daemon again and reconnects when the daemon dies", async () => {
    const [pid] = pidsWithArgument(daemonData);
    expect(pid).toBeDefined();
    const connectionsBefore = extensionLog().match(/\[info\] connected to /g)?.length ?? 0;
    process.kill(pid!, "SIGKILL");
    const restarted = () => pidsWithArgument(daemonData).filter((other) => other !== pid);
    await expect.poll(() => restarted().length, { timeout: 60_000 }).toBe(1);
    // The status bar still shows the old count for a moment: the extension's own log says when it has connected again.
    await expect.poll(() => extensionLog().match(/\[info\] connected to /g)?.length ?? 0, { timeout: 120_000 }).toBe(connectionsBefore + 1);
    await workbench.statusItem(/LLM2CLIP: \d+ images/).waitFor({ timeout: 120_000 });
  });

  it("flags the planted wrong alt text and replaces it with the quick fix", async () => {
    const file = path.join(workspace, PLANTED_DOC);
    const before = readFileSync(file, "utf8");
    await workbench.openFile(PLANTED_DOC);
    const line = before.split("\n").findIndex((text) => text.includes(`![${PLANTED_ALT}](`)) + 1;
    const problem = workbench.page.locator(".marker-widget").filter({ hasText: `Alt text "${PLANTED_ALT}" does not describe the image` });
    // Diagnostics arrive once the daemon has judged every image of the page. "Go to Next Problem" visits a file's errors
    // before its warnings and infos, so from the planted line it first lands on later missing-alt errors: step through
    // the page's problems until this one shows.
    const deadline = Date.now() + 200_000;
    await workbench.goToLine(line);
    while (!(await problem.isVisible())) {
      if (Date.now() > deadline) throw new Error(`no mismatch diagnostic for "${PLANTED_ALT}" in ${PLANTED_DOC}:${line}`);
      await workbench.runCommand("Go to Next Problem (Error, Warning, Info)");
      await problem.waitFor({ timeout: 1_000 }).catch(() => undefined);
    }
    await workbench.screenshot("alt-text-diagnostic");
    await workbench.page.keyboard.press("Escape");
    await workbench.runCommand("Show or Focus Hover");
    await workbench.page.locator(".monaco-hover").filter({ hasText: "Best suggestion" }).waitFor({ timeout: 10_000 });
    await workbench.screenshot("alt-text-hover");
    await workbench.page.keyboard.press("Escape");

    await workbench.runCommand("Quick Fix...");
    // The preferred fix, the top suggestion, is focused; Enter applies it (the menu's rows animate, so no click).
    const fix = workbench.page.locator(".action-widget .monaco-list-row.focused");
    await fix.filter({ hasText: "Replace alt text with:" }).waitFor({ timeout: 15_000 });
    await workbench.screenshot("alt-text-quick-fix");
    const suggestion = /Replace alt text with: "(.*)"/.exec(await fix.innerText())![1]!;
    await workbench.page.keyboard.press("Enter");
    await workbench.runCommand("File: Save");
    // Poll for the new text, not for any change: a save may be seen half-written.
    await expect.poll(() => readFileSync(file, "utf8"), { timeout: 10_000 }).toContain(`![${suggestion}](`);

    const after = readFileSync(file, "utf8");
    const alts = findImageReferences(after, "markdown").map((ref) => ref.alt);
    expect(alts).toContain(suggestion);
    expect(alts).not.toContain(PLANTED_ALT);
    expect(after.replace(suggestion, PLANTED_ALT)).toBe(before);
  }, 300_000);
});
