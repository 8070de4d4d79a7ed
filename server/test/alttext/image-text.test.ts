// Alt text from an image's own text: the candidates built from its lines, and the alt-contradicts-text rule.
import { describe, expect, it } from "vitest";
import { imageTextSuggestions } from "../../src/alttext/image-text-suggestions";
import { substringEditDistance, textContradiction } from "../../src/alttext/text-contradiction";
import type { TextLineRecord } from "../../src/store/collection";

let y = 0;
/** A line as OCR reports it for type of `size` px: about 0.55 em a Latin character, 1 em a Han one. */
function line(text: string, size = 16, confidence = 0.95): TextLineRecord {
  y += 30;
  const ems = [...text.replace(/\s+/g, "")].reduce((sum, c) => sum + (/\p{Script=Han}/u.test(c) ? 1 : 0.55), 0);
  return { text, confidence, box: { x: 10, y, width: Math.round(ems * size), height: Math.round(size * 1.6) } };
}

const settingsWindow = () => [
  line("Explorer", 14),
  line("Deploy settings", 28),
  line("Region us-east-1 is used for every new deployment of this project", 14),
  line("Save changes", 18),
  line("Cancel", 18),
  line("Build passed in 42 seconds on the main branch", 14),
];

describe("alt-text candidates from the image's text", () => {
  it("offers a short text as written, in reading order", () => {
    expect(imageTextSuggestions([line("Open the Command Palette", 22), line("to run tasks", 22)])).toEqual([
      "Open the Command Palette to run tasks",
      "Screenshot showing “Open the Command Palette” and “to run tasks”",
    ]);
  });

  it("offers a screenshot's largest lines, quoted in reading order, when its text is too long to be alt text", () => {
    expect(imageTextSuggestions(settingsWindow())).toEqual(["Screenshot showing “Deploy settings”, “Save changes” and “Cancel”"]);
  });

  it("quotes Chinese text in Chinese", () => {
    expect(imageTextSuggestions([line("打开设置", 24), line("选择图像搜索", 16)])).toEqual(["打开设置选择图像搜索", "截图，显示“打开设置”和“选择图像搜索”"]);
  });

  it("quotes no line read unsurely, and offers nothing for an image without text worth quoting", () => {
    expect(imageTextSuggestions([line("Deploy", 20), line("xq7rz", 30, 0.6)])).toEqual(["Deploy", "Screenshot showing “Deploy”"]);
    expect(imageTextSuggestions([line("|", 20), line("Menu", 20, 0.55)])).toEqual([]);
    expect(imageTextSuggestions([])).toEqual([]);
  });

  it("cuts a long quoted line at a word boundary", () => {
    const [, quoted] = [undefined, ...imageTextSuggestions([line("A very long heading that goes on and on past forty characters", 30), ...settingsWindow()])];
    expect(quoted).toBe("Screenshot showing “A very long heading that goes on and on…”, “Deploy settings” and “Save changes”");
  });
});

describe("substring edit distance", () => {
  it("counts the fewest edits to some substring", () => {
    expect(substringEditDistance("save", "pleasesavechanges")).toBe(0);
    expect(substringEditDistance("savechanges", "pleasesavechangs")).toBe(1);
    expect(substringEditDistance("delete", "savechanges")).toBeGreaterThanOrEqual(4);
    expect(substringEditDistance("", "abc")).toBe(0);
  });
});

describe("alt-contradicts-text", () => {
  it("fires when the alt text quotes text the image does not show, naming the image's largest lines", () => {
    expect(textContradiction('The "Delete project" button of the deploy settings', settingsWindow())).toEqual({
      quoted: "Delete project",
      imageLines: ["Deploy settings", "Save changes", "Cancel", "Explorer", "Region us-east-1 is used for every new deployment of this project"],
    });
    expect(textContradiction("打开「删除项目」", [line("打开设置并选择图像搜索", 24)])?.quoted).toBe("删除项目");
  });

  it("does not fire on good alt text: quoted text shown, with OCR's dropped spaces, case and a misread letter", () => {
    const lines = [...settingsWindow(), line("Open the CommandPalette", 14), line("Workspace Trvst", 14)];
    expect(textContradiction('The "Save changes" button in “Deploy settings”', lines)).toBeUndefined();
    expect(textContradiction('Run "open the command palette"', lines)).toBeUndefined();
    expect(textContradiction('The "Workspace Trust" page', lines)).toBeUndefined();
    expect(textContradiction("打开「选择图像」", [line("打开设置并选择图像搜索", 24)])).toBeUndefined();
  });

  it("does not fire on plain words, short quotes, or an image whose text was not read surely", () => {
    expect(textContradiction("The delete project button", settingsWindow())).toBeUndefined();
    expect(textContradiction('The "OK" button', settingsWindow())).toBeUndefined();
    expect(textContradiction('The "Delete project" button', [line("Cancel", 18)])).toBeUndefined();
    expect(textContradiction('The "Delete project" button', [line("Deploy settings now", 28, 0.6)])).toBeUndefined();
    expect(textContradiction('The "Delete project" button', [])).toBeUndefined();
  });
});
