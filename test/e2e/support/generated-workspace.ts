// A documentation workspace of generated images in the sizes real ones come in (issue 19's repository: mostly
// screenshots): tall phone screenshots, wide banners, SVG icons and mid-size diagrams, plus Markdown pages that
// reference them. Deterministic for a given count.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { circleSvg, screenshotSvg } from "../../support/images";

export type GeneratedKind = "phone" | "banner" | "icon" | "diagram";

const SIZES: Record<GeneratedKind, { width: number; height: number }> = {
  phone: { width: 1320, height: 2868 },
  banner: { width: 586, height: 90 },
  icon: { width: 64, height: 64 },
  diagram: { width: 1024, height: 640 },
};
/** About the mix of a documentation site: mostly screenshots, some diagrams, a few banners and icons. */
const MIX: readonly GeneratedKind[] = ["phone", "diagram", "phone", "icon", "diagram", "banner", "phone", "diagram"];
const COLOURS = ["red", "green", "blue", "orange", "purple", "teal", "gray", "brown"];

export interface GeneratedImage {
  /** Relative to the folder. */
  file: string;
  kind: GeneratedKind;
  width: number;
  height: number;
}

export interface GenerateOptions {
  kinds?: readonly GeneratedKind[];
}

/** Writes `count` images into `folder`, cycling through the kinds, and returns what it wrote. */
export async function writeGeneratedImages(folder: string, count: number, options: GenerateOptions = {}): Promise<GeneratedImage[]> {
  const kinds = options.kinds ?? MIX;
  mkdirSync(folder, { recursive: true });
  const images: GeneratedImage[] = [];
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length]!;
    const { width, height } = SIZES[kind];
    const file = `${kind}-${String(i).padStart(4, "0")}.${kind === "icon" ? "svg" : "png"}`;
    writeFileSync(path.join(folder, file), await render(kind, i, width, height));
    images.push({ file, kind, width, height });
  }
  return images;
}

async function render(kind: GeneratedKind, seed: number, width: number, height: number): Promise<Buffer> {
  const colour = COLOURS[seed % COLOURS.length]!;
  switch (kind) {
    case "icon":
      return circleSvg(colour, width);
    case "banner": {
      const svg =
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${colour}"/>` +
        `<text x="24" y="58" font-family="DejaVu Sans" font-size="34" font-weight="bold" fill="white">Release ${seed} is out</text></svg>`;
      return sharp(Buffer.from(svg)).png({ compressionLevel: 3 }).toBuffer();
    }
    default:
      return sharp(screenshotSvg(seed, width, height)).png({ compressionLevel: 3 }).toBuffer();
  }
}

/** Writes Markdown pages under `folder`, `perPage` image references each, with alt text, pointing into `imagesFolder`. */
export function writeMarkdownPages(folder: string, imagesFolder: string, images: readonly GeneratedImage[], perPage = 8): string[] {
  mkdirSync(folder, { recursive: true });
  const pages: string[] = [];
  for (let start = 0, page = 0; start < images.length; start += perPage, page++) {
    const name = `page-${String(page).padStart(3, "0")}.md`;
    const lines = [`# Guide ${page}`, ""];
    for (const image of images.slice(start, start + perPage)) {
      const src = path.relative(folder, path.join(imagesFolder, image.file)).split(path.sep).join("/");
      lines.push(`Step ${image.file}: open the ${image.kind} view and check the settings.`, "", `![The ${image.kind} view](${src})`, "");
    }
    writeFileSync(path.join(folder, name), lines.join("\n"));
    pages.push(name);
  }
  return pages;
}
