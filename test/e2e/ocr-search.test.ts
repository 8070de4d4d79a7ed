// End to end, text in images: the packaged extension in code-server with its daemon reading text (--ocr on). A
// workspace holds two rendered screenshots whose text the test knows and a few of the model's scenes; a query that
// quotes words of one screenshot puts it first in the Search Images quick pick with the matched text, the gallery
// shows the snippet too, and the hover on a reference to it lists the image's text.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { credentials } from "@grpc/grpc-js";
import { Llm2ClipClient, type ListCollectionsResponse } from "@llm2clip/proto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { unary } from "../support/daemon";
import { appWindowScreenshot } from "../support/images";
import { CodeServer, freePort } from "./support/code-server";
import { autoStartSettings } from "./support/settings";
import { packageExtension, REPO_ROOT } from "./support/extension-package";
import { FAILURE_SCREENSHOTS, Workbench } from "./support/workbench";

const MODEL_DIR = path.join(REPO_ROOT, "models", "tiny-llm2clip");
const SCENES = path.join(MODEL_DIR, "samples", "images");
const SCENE_COUNT = 4;
const IMAGES = SCENE_COUNT + 2;

/** Waits on the daemon's own count: every image of the workspace's collection has had its text read. */
async function textsRead(address: string): Promise<void> {
  const client = new Llm2ClipClient(address, credentials.createInsecure());
  try {
    for (const deadline = Date.now() + 300_000; ; ) {
      const { collections } = await unary<ListCollectionsResponse>((done) => client.listCollections({}, done)).catch(() => ({ collections: [] }));
      const entry = collections[0];
      if (entry && entry.assetCount === IMAGES && entry.textsRead === IMAGES && entry.textsPending === 0) return;
      if (Date.now() > deadline) throw new Error(`the daemon has not read the text of ${IMAGES} images: ${JSON.stringify(entry)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    client.close();
  }
}

describe("text in images, in code-server", () => {
  let scratch: string;
  let server: CodeServer;
  let workbench: Workbench;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), "llm2clip-e2e-ocr-"));
    const workspace = path.join(scratch, "workspace");
    mkdirSync(path.join(workspace, "shots"), { recursive: true });
    mkdirSync(path.join(workspace, "scenes"), { recursive: true });
    const shots = {
      "deploy.png": {
        title: "Acme Cloud — Project settings",
        heading: "Deploy settings",
        body: ["Every push to the main branch starts a new deployment.", "Deployments run in the region chosen below."],
        buttons: ["Save changes", "Cancel"],
      },
      "billing.png": {
        title: "Acme Cloud — Billing",
        heading: "Invoices",
        body: ["Your next invoice is sent on the first day of the month.", "Change the card used for payments below."],
        buttons: ["Download", "Close"],
      },
    };
    for (const [file, window] of Object.entries(shots)) writeFileSync(path.join(workspace, "shots", file), await appWindowScreenshot(window));
    const scenes = readdirSync(SCENES, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".png")).sort().slice(0, SCENE_COUNT);
    for (const scene of scenes) cpSync(path.join(SCENES, scene), path.join(workspace, "scenes", path.basename(scene)));
    writeFileSync(path.join(workspace, "README.md"), "# Deploying\n\n![The deploy settings dialog](shots/deploy.png)\n");
    const daemonPort = await freePort();
    server = await CodeServer.start({
      root: scratch,
      extensions: [packageExtension()],
      settings: autoStartSettings(daemonPort, MODEL_DIR, path.join(scratch, "daemon-data"), ["--ocr", "on"]),
    });
    workbench = await Workbench.open(server.folderUrl(workspace), path.join(scratch, "chromium"));
    try {
      await workbench.statusItem(`LLM2CLIP: ${IMAGES} images`).waitFor({ timeout: 180_000 });
      await textsRead(`127.0.0.1:${daemonPort}`);
    } catch (error) {
      await workbench.screenshot("ocr-search-setup", FAILURE_SCREENSHOTS);
      throw error;
    }
  }, 600_000);

  beforeEach(async () => {
    await workbench.dismissOverlays();
  });

  afterEach(async (context) => {
    if (context.task.result?.state !== "fail") return;
    await workbench?.screenshot(context.task.name.replace(/\W+/g, "-"), FAILURE_SCREENSHOTS);
  });

  afterAll(async () => {
    await workbench?.close();
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("puts the screenshot that shows the quoted words first in the Search Images quick pick, with its matched text", async () => {
    await workbench.runCommand("LLM2CLIP: Search Images");
    await workbench.quickInput.locator("input").fill('"save changes"');
    const first = workbench.quickInputRows().first();
    await first.filter({ hasText: "score" }).waitFor({ timeout: 30_000 });
    await workbench.screenshot("search-image-text");
    const row = await first.innerText();
    expect(row).toContain("shots/deploy.png");
    expect(row.replace(/\s+/g, "")).toContain("“Savechanges”");
    // The other screenshot does not show the words: no row but the first carries a snippet.
    const rows = await workbench.quickInputRows().allInnerTexts();
    expect(rows.slice(1).some((text) => text.includes("“"))).toBe(false);
    await workbench.page.keyboard.press("Escape");
  });

  it("shows the matched text under the screenshot's thumbnail in the gallery", async () => {
    await workbench.runCommand("Focus on Image Gallery View");
    const gallery = workbench.page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
    await gallery.locator("#query").fill("invoices download");
    const firstTile = gallery.locator("#grid li").first();
    await firstTile.locator(".snippet").waitFor({ timeout: 30_000 });
    expect(await firstTile.innerText()).toContain("billing.png");
    expect((await firstTile.locator(".snippet").innerText()).replace(/\s+/g, "")).toMatch(/^“(Invoices|Download)”$/);
  });

  it("lists the image's text in the hover on a reference to it", async () => {
    await workbench.openFile("README.md");
    await workbench.goToLine(3);
    // The hover shows once the alt-text check of the page has judged the reference: ask again until it does.
    const hover = workbench.page.locator(".monaco-hover").filter({ hasText: "Text in the image" });
    const deadline = Date.now() + 180_000;
    while (!(await hover.isVisible())) {
      if (Date.now() > deadline) throw new Error("no hover with the image's text on README.md:3");
      await workbench.runCommand("Show or Focus Hover");
      await hover.waitFor({ timeout: 5_000 }).catch(() => undefined);
    }
    await workbench.screenshot("hover-image-text");
    const text = (await hover.innerText()).replace(/\s+/g, "");
    for (const line of ["Deploysettings", "Savechanges", "Cancel"]) expect(text).toContain(line);
    await workbench.page.keyboard.press("Escape");
  }, 300_000);
});
