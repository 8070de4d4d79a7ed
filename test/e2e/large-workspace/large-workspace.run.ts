// The extension on a large documentation workspace (issue 19): 1,100 generated images in the sizes real ones come
// in, 138 Markdown pages that reference them, opened in code-server with the extension auto-starting its daemon.
// It reports how long the first index takes, the extension host's RSS while it runs, and the latency from a key press
// to the painted character while typing in a page during the index. Results go to results.md beside this file.
//
//   nice -n 15 npm run e2e:large            (LLM2CLIP_LARGE_IMAGES=1100 by default)
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { CodeServer, freePort } from "../support/code-server";
import { packageExtension, REPO_ROOT } from "../support/extension-package";
import { writeGeneratedImages, writeMarkdownPages } from "../support/generated-workspace";
import { autoStartSettings } from "../support/settings";
import { Workbench } from "../support/workbench";

const IMAGES = Number(process.env.LLM2CLIP_LARGE_IMAGES ?? 1100);
const MODEL_DIR = path.join(REPO_ROOT, "models", "tiny-llm2clip");
const RESULTS = path.join(__dirname, "results.md");
const INDEX_TIMEOUT_MS = 45 * 60_000;
const KEY_INTERVAL_MS = 150;

/** Resident set of a process in MB, from /proc; undefined once it is gone. */
function rssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    // A process that is exiting reports 0 kB: no sample.
    return kb && Number(kb) > 0 ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The extension hosts code-server started for this run's user data. */
function extensionHostPids(userData: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
        return cmdline.includes("--type=extensionHost") && environ.includes(userData);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

it(`indexes ${IMAGES} images while the editor stays responsive`, async () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "llm2clip-e2e-large-"));
  const workspace = path.join(scratch, "workspace");
  const userData = path.join(scratch, "user-data");
  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  try {
    const generationStarted = Date.now();
    const images = await writeGeneratedImages(path.join(workspace, "images"), IMAGES);
    const pages = writeMarkdownPages(path.join(workspace, "docs"), path.join(workspace, "images"), images);
    const generationMs = Date.now() - generationStarted;
    const kinds = Object.entries(images.reduce<Record<string, number>>((counts, image) => ({ ...counts, [image.kind]: (counts[image.kind] ?? 0) + 1 }), {}));
    console.log(`large workspace: ${IMAGES} images (${kinds.map(([k, n]) => `${n} ${k}`).join(", ")}) and ${pages.length} pages in ${generationMs} ms`);

    server = await CodeServer.start({
      root: scratch,
      extensions: [packageExtension()],
      settings: autoStartSettings(await freePort(), MODEL_DIR, path.join(scratch, "daemon-data")),
    });
    const opened = Date.now();
    workbench = await Workbench.open(server.folderUrl(workspace), path.join(scratch, "chromium"));
    const shownMs = Date.now() - opened;
    const page = workbench.page;

    const rss: number[] = [];
    const sampler = setInterval(() => {
      for (const pid of extensionHostPids(userData)) {
        const mb = rssMb(pid);
        if (mb !== undefined) rss.push(mb);
      }
    }, 500);

    await workbench.openFile("docs/page-000.md");
    const editorLines = ".part.editor .monaco-editor .view-lines";
    await page.locator(editorLines).first().waitFor({ timeout: 60_000 });
    await page.keyboard.press("Control+End");
    await page.keyboard.press("Enter");
    // Key-to-paint, measured in the page: from the key event's own timestamp to the first animation frame after the
    // editor's lines changed, plus a task, which runs after that frame has been painted. Only the open editor's lines
    // are watched, so that a status-bar update cannot pass for a typed character.
    await page.evaluate(`(() => {
      const latencies = (window.__latencies = []);
      const pending = [];
      window.addEventListener("keydown", (event) => pending.push(event.timeStamp), true);
      new MutationObserver(() => {
        const started = pending.shift();
        if (started !== undefined) requestAnimationFrame(() => setTimeout(() => latencies.push(performance.now() - started), 0));
      }).observe(document.querySelector(${JSON.stringify(editorLines)}), { subtree: true, childList: true, characterData: true });
    })()`);
    const indexed = workbench.statusItem(/LLM2CLIP: \d+ images/);
    const deadline = Date.now() + INDEX_TIMEOUT_MS;
    let typed = 0;
    while (!(await indexed.isVisible()) && Date.now() < deadline) {
      await page.keyboard.type("abcdefghij"[typed++ % 10]!);
      await page.waitForTimeout(KEY_INTERVAL_MS);
    }
    await indexed.waitFor({ timeout: 1_000 });
    const indexedMs = Date.now() - opened;
    clearInterval(sampler);
    const latencies = await page.evaluate<number[]>("window.__latencies");
    const status = (await indexed.first().innerText()).trim();
    const log = readdirSync(path.join(userData, "logs"), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith("LLM2CLIP.log"))
      .map((file) => readFileSync(path.join(userData, "logs", file), "utf8"))
      .join("");
    const extensionIndexMs = Number(/indexed workspace as \S+ in (\d+) ms/.exec(log)?.[1]);
    expect(status).toContain(`${IMAGES} images`);
    expect(latencies.length).toBeGreaterThan(0);

    const row = [
      new Date().toISOString().slice(0, 16).replace("T", " "),
      `${IMAGES} (${kinds.map(([k, n]) => `${n} ${k}`).join(", ")}), ${pages.length} pages`,
      `${(shownMs / 1000).toFixed(1)} s`,
      `${(extensionIndexMs / 1000).toFixed(1)} s`,
      `${(indexedMs / 1000).toFixed(1)} s`,
      `${Math.round(Math.min(...rss))}–${Math.round(Math.max(...rss))} MB (median ${Math.round(quantile(rss, 0.5))})`,
      `${latencies.length}`,
      `${Math.round(quantile(latencies, 0.5))} ms`,
      `${Math.round(quantile(latencies, 0.99))} ms`,
      `${os.loadavg()[0]!.toFixed(1)}`,
    ];
    console.log(`large workspace: ${row.join(" | ")}`);
    appendFileSync(RESULTS, `| ${row.join(" | ")} |\n`);
  } finally {
    await workbench?.close();
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
});
