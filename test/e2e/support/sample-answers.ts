// The planted cases of the sample docs repository (models/tiny/samples.py writes ANSWERS.json beside it): which
// image a description names, and which Markdown reference carries another scene's caption as its alt text.
import { readFileSync } from "node:fs";
import path from "node:path";

interface SceneObject {
  shape: string;
  colour: string;
  size: string;
  position: string;
}

interface Answers {
  images: Record<string, { scene: { background: string; objects: SceneObject[] }; caption: string }>;
  references: Array<{ markdown: string; image: string; status: "good" | "missing" | "wrong"; alt: string }>;
}

export function readAnswers(sampleDir: string): Answers {
  return JSON.parse(readFileSync(path.join(sampleDir, "ANSWERS.json"), "utf8")) as Answers;
}

/**
 * A description with exactly one right answer: the first single-shape image whose colour, shape and background no
 * other image shares (as any of its shapes), described by those three facts.
 */
export function uniqueDescription(answers: Answers): { query: string; image: string } {
  const images = Object.entries(answers.images);
  const key = (background: string, o: SceneObject) => `${o.colour} ${o.shape} on ${background}`;
  const counts = new Map<string, number>();
  for (const [, { scene }] of images) {
    for (const k of new Set(scene.objects.map((o) => key(scene.background, o)))) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  for (const [image, { scene }] of images) {
    const [only] = scene.objects;
    if (scene.objects.length === 1 && only && counts.get(key(scene.background, only)) === 1) {
      return { query: `a ${only.colour} ${only.shape} on a ${scene.background} background`, image };
    }
  }
  throw new Error("the sample set has no image with a unique single-shape description");
}

/** The first Markdown-syntax reference whose alt text is another scene's caption. */
export function plantedWrongAlt(answers: Answers, sampleDir: string): { markdown: string; image: string; alt: string } {
  for (const ref of answers.references) {
    if (ref.status !== "wrong") continue;
    const page = readFileSync(path.join(sampleDir, ref.markdown), "utf8");
    if (page.includes(`![${ref.alt}](`)) return ref;
  }
  throw new Error("the sample set has no wrong alt text in Markdown syntax");
}
