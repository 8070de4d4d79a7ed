// `node test/bench/ocr/sample-texts.mjs`: writes texts.json, the text of the OCR test set, sampled by a fixed stride
// (no choosing) from strings real software shows:
// - English: VS Code 1.100's user-interface messages (code-server 4.100.3's lib/vscode/out/nls.messages.json, MIT);
// - Chinese: TypeScript's Simplified Chinese diagnostic messages (typescript/lib/zh-cn, Apache-2.0).
// Kept: no placeholders or markup, 14 to 48 characters (English) or 8 to 26 (Chinese, mostly Han).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const require = createRequire(path.join(import.meta.dirname, "../../../package.json"));
const PER_LANGUAGE = 60;

function stride(items, count) {
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]);
}

const nls = JSON.parse(
  readFileSync(path.join(os.homedir(), ".cache/llm2clip-e2e/code-server-4.100.3/node_modules/code-server/lib/vscode/out/nls.messages.json"), "utf8"),
);
const english = [...new Set(nls.filter((s) => typeof s === "string" && !/[{}&\n\\<>$`]/.test(s) && s.length >= 14 && s.length <= 48 && /^[A-Z]/.test(s)))];
const zh = require("typescript/lib/zh-cn/diagnosticMessages.generated.json");
const chinese = [...new Set(Object.values(zh))].filter((s) => {
  const han = (s.match(/\p{Script=Han}/gu) ?? []).length;
  return !/[{}\n\\<>$`]/.test(s) && s.length >= 8 && s.length <= 26 && han >= s.length * 0.6;
});
const texts = {
  sources: {
    en: "code-server 4.100.3 lib/vscode/out/nls.messages.json (VS Code UI strings, MIT)",
    zh: "typescript lib/zh-cn/diagnosticMessages.generated.json (Apache-2.0)",
  },
  en: stride(english, PER_LANGUAGE),
  zh: stride(chinese, PER_LANGUAGE),
};
writeFileSync(path.join(import.meta.dirname, "texts.json"), `${JSON.stringify(texts, null, 1)}\n`);
console.log(`${english.length} English and ${chinese.length} Chinese candidates; kept ${PER_LANGUAGE} of each`);
