// lint-alt's missing-alt findings against markdownlint's MD045 on the same corpus. The corpus covers the constructs
// real documentation uses (reference images, images in links and tables, GFM footnotes, <img> variants, whitespace,
// site-rooted, remote and absent images). The two must agree line for line, except for the differences listed here,
// each of them deliberate and documented in the README's lint-alt section.
import { lint } from "markdownlint/promise";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lineColumn } from "../../client/src/documents/context";
import { lintDocuments } from "../../client/src/cli/lint";

const CORPUS = path.join(import.meta.dirname, "md045-corpus");

/** `file:line` → who reports it alone, and why. */
const DOCUMENTED_DIFFERENCES: Record<string, { only: "lint-alt" | "MD045"; why: string }> = {
  "presentation.md:3": { only: "MD045", why: 'role="presentation" marks a decorative image (axe image-alt); MD045 wants alt or aria-hidden' },
  "presentation.md:5": { only: "MD045", why: 'role="none" is role="presentation" (axe image-alt)' },
  "html.md:61": { only: "MD045", why: 'a bare alt attribute is alt="" to an HTML parser: a decorative image (axe image-alt)' },
  "whitespace.md:11": { only: "lint-alt", why: 'an <img> alt of only spaces is no alt text (axe alt-space-value); MD045 accepts any alt attribute' },
  "whitespace.md:13": { only: "lint-alt", why: "alt=\"&nbsp;\" decodes to a space: no alt text (axe alt-space-value)" },
};

const documents = readdirSync(CORPUS)
  .filter((file) => /\.mdx?$/.test(file))
  .sort();

async function md045Lines(): Promise<string[]> {
  const strings = Object.fromEntries(documents.map((file) => [file, readFileSync(path.join(CORPUS, file), "utf8")]));
  const results = await lint({ strings, config: { default: false, MD045: true } });
  return documents.flatMap((file) => results[file]!.map((error) => `${file}:${error.lineNumber}`));
}

async function lintAltLines(): Promise<string[]> {
  const result = await lintDocuments(CORPUS, documents, { root: CORPUS });
  return result.problems
    .filter((problem) => problem.rule === "alt-missing")
    .map((problem) => `${problem.file}:${lineColumn(result.texts.get(problem.file)!, problem.range[0]).line}`);
}

/** Each line's findings, counted, so that two images on one line count twice. */
function counted(lines: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

describe("lint-alt agrees with markdownlint MD045", () => {
  it("on every line of the corpus, apart from the documented differences", async () => {
    const md045 = counted(await md045Lines());
    const ours = counted(await lintAltLines());
    const differences: Record<string, "lint-alt" | "MD045"> = {};
    for (const line of new Set([...md045.keys(), ...ours.keys()])) {
      const a = ours.get(line) ?? 0;
      const b = md045.get(line) ?? 0;
      if (a !== b) differences[line] = a > b ? "lint-alt" : "MD045";
    }
    expect(differences).toEqual(Object.fromEntries(Object.entries(DOCUMENTED_DIFFERENCES).map(([line, { only }]) => [line, only])));
    const agreed = [...md045].filter(([line]) => !(line in DOCUMENTED_DIFFERENCES)).reduce((n, [, count]) => n + count, 0);
    console.log(
      `MD045 conformance: ${agreed} of ${[...md045.values()].reduce((a, b) => a + b, 0)} MD045 findings reported by lint-alt; ` +
        `${Object.keys(DOCUMENTED_DIFFERENCES).length} documented differences over ${documents.length} documents`,
    );
  });

  it("covers each construct the corpus is for with at least one finding both report", async () => {
    const both = new Set((await md045Lines()).filter((line) => !(line in DOCUMENTED_DIFFERENCES)));
    const expectAgreement = (file: string, lines: number[]) => {
      for (const line of lines) expect(both, `${file}:${line}`).toContain(`${file}:${line}`);
    };
    expectAgreement("reference.md", [3, 11]); // ![][ref], ![][LOGO]
    expectAgreement("links.md", [3, 7, 9, 11]); // [![](…)](…), [![][ref]](…), inside link text, inside <a>
    expectAgreement("html.md", [3, 5, 9, 13, 23, 31, 39, 49]); // inline, block, multi-line, indented multi-line, <a>, <picture>, uppercase, <p>
    expectAgreement("tables.md", [5, 7, 10]);
    expectAgreement("footnotes.md", [5, 7]);
    expectAgreement("sources.md", [3, 5, 7, 9, 11, 13, 15, 17, 19]); // site-rooted, remote, absent, #anchor, ?x=1, folder, data:
    expectAgreement("component.mdx", [5, 9]);
  });
});
