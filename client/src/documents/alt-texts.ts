import { readFile } from "node:fs/promises";
import path from "node:path";
import { findImageReferences } from "./find-references";
import { documentLanguage, relativeInside, resolveImageFile } from "../files";

/** The alt texts that the documents under `root` give each image, keyed by the image's path relative to `root`. */
export async function altTextsByImage(root: string, files: readonly string[]): Promise<Map<string, string[]>> {
  const byImage = new Map<string, Set<string>>();
  for (const file of files) {
    const language = documentLanguage(file);
    if (!language) continue;
    const text = await readFile(path.join(root, file), "utf8");
    for (const ref of findImageReferences(text, language)) {
      const alt = ref.alt?.trim();
      if (!alt || ref.dynamicAlt) continue;
      const target = resolveImageFile(path.join(root, file), ref.src, root);
      const image = target && relativeInside(root, target);
      if (!image) continue;
      let texts = byImage.get(image);
      if (!texts) byImage.set(image, (texts = new Set()));
      texts.add(alt);
    }
  }
  return new Map([...byImage].map(([image, texts]) => [image, [...texts]]));
}
