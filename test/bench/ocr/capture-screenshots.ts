// Takes the OCR test set's real screenshots: VS Code (code-server 4.100.3) in Chromium, on a workspace made here.
// The truth of each screenshot is the text the DOM shows at that moment (explorer entries, tabs, editor lines, menu
// items), read from the page, so nothing is typed in twice. Writes screenshots/<name>.png and screenshots/truth.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CodeServer } from "../../e2e/support/code-server";
import { Workbench } from "../../e2e/support/workbench";

const OUT = path.join(__dirname, "screenshots");
const ROOT = path.resolve(__dirname, "../../..");

/** Prose lines of the project's README, as an editor shows a Markdown file. */
function readmeLines(count: number): string[] {
  return readFileSync(path.join(ROOT, "README.md"), "utf8")
    .split("\n")
    .filter((l) => /^[A-Za-z]/.test(l))
    .slice(0, count)
    .map((l) => l.slice(0, 90).trimEnd());
}

/** Chinese messages of TypeScript not in the rendered set (every 7th, from the 3rd). */
function chineseLines(count: number): string[] {
  const zh = JSON.parse(readFileSync(path.join(ROOT, "node_modules/typescript/lib/zh-cn/diagnosticMessages.generated.json"), "utf8"));
  const rendered = new Set(JSON.parse(readFileSync(path.join(__dirname, "texts.json"), "utf8")).zh);
  const all = ([...new Set(Object.values(zh))] as string[]).filter((s) => s.length <= 40 && !/[{}\n]/.test(s) && !rendered.has(s));
  return Array.from({ length: count }, (_, i) => all[3 + i * 7]);
}

async function visibleTexts(workbench: Workbench, selector: string): Promise<string[]> {
  const viewport = workbench.page.viewportSize()!;
  const texts: string[] = [];
  for (const node of await workbench.page.locator(selector).all()) {
    const box = await node.boundingBox();
    if (!box || box.width === 0 || box.height === 0 || box.y + box.height > viewport.height || box.x + box.width > viewport.width) continue;
    texts.push((await node.innerText()).replace(/\u00a0/g, " ").trim());
  }
  return texts.filter((t) => t.length > 0);
}

async function capture(workbench: Workbench, name: string, selectors: string[], truth: Record<string, string[]>) {
  await workbench.screenshot(name, OUT);
  const texts: string[] = [];
  for (const selector of selectors) texts.push(...(await visibleTexts(workbench, selector)));
  truth[name] = [...new Set(texts)];
}

async function main() {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "llm2clip-ocr-shots-"));
  const workspace = path.join(scratch, "workspace");
  const files: Record<string, string> = {
    "docs/getting-started.md": readmeLines(14).join("\n"),
    "docs/release-notes.md": "",
    "docs/keyboard-shortcuts.md": "",
    "docs/安装指南.md": "",
    "docs/常见问题.md": chineseLines(14).join("\n"),
    "diagrams/architecture-overview.svg": "",
    "diagrams/sync-sequence.svg": "",
    "CONTRIBUTING.md": "",
    "package.json": "{}",
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
    writeFileSync(path.join(workspace, file), text);
  }
  const server = await CodeServer.start({
    root: scratch,
    extensions: [],
    settings: { "workbench.startupEditor": "none", "workbench.tips.enabled": false, "security.workspace.trust.enabled": false, "telemetry.telemetryLevel": "off" },
  });
  const workbench = await Workbench.open(server.folderUrl(workspace), path.join(scratch, "chromium"));
  const truth: Record<string, string[]> = {};
  try {
    const explorer = ".explorer-folders-view .label-name";
    for (const folder of ["docs", "diagrams"]) await workbench.page.locator(explorer, { hasText: folder }).first().click();
    await workbench.openFile("docs/getting-started.md");
    await capture(workbench, "editor-light", [explorer, ".tab .label-name", ".view-line"], truth);

    await workbench.page.locator(".menubar-menu-button").first().click();
    await workbench.page.locator(".monaco-menu .action-label", { hasText: "File" }).first().hover();
    await workbench.page.locator(".monaco-menu .action-label", { hasText: "New Window" }).first().waitFor();
    await capture(workbench, "file-menu", [".monaco-menu .action-label"], truth);
    await workbench.page.keyboard.press("Escape");
    await workbench.page.keyboard.press("Escape");

    await workbench.runCommand("Preferences: Color Theme");
    await workbench.page.keyboard.type("Dark Modern");
    await workbench.page.keyboard.press("Enter");
    await workbench.openFile("docs/常见问题.md");
    await capture(workbench, "editor-dark-chinese", [explorer, ".tab .label-name", ".view-line"], truth);
  } finally {
    await workbench.close();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  writeFileSync(path.join(OUT, "truth.json"), `${JSON.stringify(truth, null, 1)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
