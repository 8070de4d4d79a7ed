// Drives the VS Code workbench in Chromium through playwright-core: the command palette, quick input, status bar.
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { mkdirSync } from "node:fs";
import path from "node:path";

const ARTIFACTS = path.resolve(__dirname, "../../.artifacts/e2e");
/**
 * Where the tests' screenshots go: an ignored folder, unless LLM2CLIP_E2E_RECORD_SCREENSHOTS=1 (npm run screenshots)
 * refreshes the README's, committed in test/e2e/screenshots.
 */
export const SCREENSHOTS =
  process.env.LLM2CLIP_E2E_RECORD_SCREENSHOTS === "1" ? path.resolve(__dirname, "../screenshots") : path.join(ARTIFACTS, "screenshots");
/** Screenshots of failures, with the extension's log. */
export const FAILURE_SCREENSHOTS = ARTIFACTS;

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export class Workbench {
  private constructor(
    private readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async open(url: string, profileDir: string): Promise<Workbench> {
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 850 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    // The workbench is there when its own root element is: no need to wait for every resource's load event, which a
    // loaded machine can take well over 30 s to fire.
    await page.goto(url, { waitUntil: "commit", timeout: 120_000 });
    await page.locator(".monaco-workbench").waitFor({ timeout: 180_000 });
    return new Workbench(context, page);
  }

  get quickInput(): Locator {
    return this.page.locator(".quick-input-widget");
  }

  quickInputRows(): Locator {
    return this.quickInput.locator(".monaco-list-row");
  }

  /**
   * Runs a command from the palette. Contributed commands appear a moment after the workbench, so the palette is
   * reopened until the command's row shows up. Each step waits for the palette's own state (open, filtered, row
   * listed), with room for a loaded machine, where the palette alone can take seconds to open.
   */
  async runCommand(title: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const input = this.quickInput.locator("input");
    const row = this.quickInputRows().filter({ hasText: title }).first();
    for (;;) {
      await this.dismissOverlays();
      await this.page.keyboard.press("F1");
      try {
        // A focus change (an editor the extension shows) can close the palette as it opens: that is retried too.
        await input.waitFor({ state: "visible", timeout: 10_000 });
        await input.fill(`>${title}`, { timeout: 5_000 });
        await row.waitFor({ timeout: 10_000 });
        // Rows re-render while the palette settles, which can keep a click waiting; Enter runs the focused row.
        const focused = this.quickInputRows().and(this.page.locator(".focused"));
        if (((await focused.innerText({ timeout: 5_000 })) ?? "").includes(title)) await this.page.keyboard.press("Enter");
        else await row.click({ timeout: 5_000 });
        await input.waitFor({ state: "hidden", timeout: 10_000 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`command "${title}" did not run from the palette: ${(error as Error).message}`);
      }
    }
  }

  /** Closes what is open over the editor (quick input, context menu, hover), so that the next step starts from the editor. */
  async dismissOverlays(): Promise<void> {
    const overlay = this.page.locator(".quick-input-widget:visible, .context-view .monaco-menu:visible, .monaco-hover:visible").first();
    for (let tries = 0; tries < 5 && (await overlay.isVisible()); tries++) {
      await this.page.keyboard.press("Escape");
      await overlay.waitFor({ state: "hidden", timeout: 1_000 }).catch(() => undefined);
    }
  }

  /**
   * Runs `item` from the context menu of `target` and waits for `opened`, what the command shows. Under load the menu
   * can open late or the click can land while the list still scrolls: the whole gesture is repeated until `opened` shows.
   */
  async contextMenuCommand(target: Locator, item: string, opened: Locator, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const menuItem = this.page.locator(".context-view .action-item").filter({ hasText: item });
    for (;;) {
      await this.dismissOverlays();
      try {
        await target.click({ button: "right", timeout: 5_000 });
        await menuItem.click({ timeout: 5_000 });
        await opened.waitFor({ timeout: 15_000 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`the context menu's "${item}" did not open what it should: ${(error as Error).message}`);
      }
    }
  }

  /** The status-bar item whose text contains `text`. */
  statusItem(text: string | RegExp): Locator {
    return this.page.locator(".statusbar-item").filter({ hasText: text });
  }

  /** Opens a workspace file through Quick Open. */
  async openFile(relativePath: string): Promise<void> {
    await this.page.keyboard.press("Control+P");
    const input = this.quickInput.locator("input");
    await input.waitFor({ state: "visible" });
    await input.fill(relativePath);
    const row = this.quickInputRows().filter({ hasText: path.basename(relativePath) }).first();
    await row.waitFor({ timeout: 15_000 });
    await this.page.keyboard.press("Enter");
    await this.page.locator(`.tab[data-resource-name="${path.basename(relativePath)}"]`).first().waitFor({ timeout: 15_000 });
  }

  /** Moves the cursor of the active editor to the start of `line` (1-based) through the palette's ":" mode. */
  async goToLine(line: number): Promise<void> {
    await this.page.keyboard.press("F1");
    const input = this.quickInput.locator("input");
    await input.waitFor({ state: "visible" });
    await input.fill(`:${line}`);
    await this.quickInputRows().first().waitFor();
    await this.page.keyboard.press("Enter");
    await input.waitFor({ state: "hidden" });
  }

  async screenshot(name: string, folder = SCREENSHOTS): Promise<string> {
    mkdirSync(folder, { recursive: true });
    // Thumbnails load asynchronously through code-server's resource route; give them a moment to paint.
    await this.page.waitForTimeout(750);
    const file = path.join(folder, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
