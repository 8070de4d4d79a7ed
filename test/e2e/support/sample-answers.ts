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
  images: Record<string, { scene: { background: string; objects: SceneObject[] }; caption: string; width: number; height: number }>;
  references: Array<{ markdown: string; image: string; status: "good" | "missing" | "wrong"; alt: string }>;
}

export function readAnswers(sampleDir: string): Answers {
  return JSON.parse(readFileSync(path.join(sampleDir, "ANSWERS.json"), "utf8")) as Answers;
}

/**
 * Every image's recorded caption as a query with one right answer, clearest first: images holding a single large shape
 * whose colour, shape and background no other image shares, and that are nearly square (at least 0.95), so that the
 * model's centre crop keeps the whole scene; then the rest, in the order of ANSWERS.json.
 */
export function describedScenes(answers: Answers): { query: string; image: string }[] {
  const images = Object.entries(answers.images);
  const key = (background: string, o: SceneObject) => `${o.colour} ${o.shape} on ${background}`;
  const counts = new Map<string, number>();
  for (const [, { scene }] of images) {
    for (const k of new Set(scene.objects.map((o) => key(scene.background, o)))) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const clear = images.filter(([, { scene, width, height }]) => {
    const [only] = scene.objects;
    const square = Math.min(width, height) / Math.max(width, height) >= 0.95;
    return scene.objects.length === 1 && only?.size === "large" && square && counts.get(key(scene.background, only)) === 1;
  });
  const rest = images.filter((entry) => !clear.includes(entry));
  return [...clear, ...rest].map(([image, { caption }]) => ({ query: caption, image }));
}

const COLOURS = ["red", "green", "blue", "yellow", "orange", "purple", "pink", "brown", "black", "white", "gray", "cyan"];

/**
 * A clearly wrong alt text: the first Markdown-syntax reference whose alt text is another scene's caption and names
 * none of the colours in its image (background or shapes).
 */
export function plantedWrongAlt(answers: Answers, sampleDir: string): { markdown: string; image: string; alt: string } {
  for (const ref of answers.references) {
    if (ref.status !== "wrong") continue;
    const { scene } = answers.images[ref.image]!;
    const sceneColours = new Set([scene.background, ...scene.objects.map((o) => o.colour)]);
    const named = ref.alt.split(/[^a-z]+/).filter((word) => COLOURS.includes(word));
    if (named.some((colour) => sceneColours.has(colour))) continue;
    const page = readFileSync(path.join(sampleDir, ref.markdown), "utf8");
    if (page.includes(`![${ref.alt}](`)) return ref;
  }
  throw new Error("the sample set has no clearly wrong alt text in Markdown syntax");
}
