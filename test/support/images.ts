// Small encoded test images, made with sharp (the daemon's own decoder) so that no binary fixtures are needed.
import sharp from "sharp";

/** A flat image of `colour`, encoded as `format`. */
export function flatImage(colour: string, width = 48, height = 40, format: "png" | "jpeg" | "webp" | "tiff" = "png"): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .toFormat(format)
    .toBuffer();
}

/** A shape of the project's scene domain: a filled circle of `colour` on white, as an SVG document. */
export function circleSvg(colour: string, size = 64): Buffer {
  const r = size / 4;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">` +
      `<rect width="100%" height="100%" fill="white"/><circle cx="${size / 2}" cy="${size / 2}" r="${r}" fill="${colour}"/></svg>`,
  );
}

export interface TextLineSpec {
  text: string;
  /** Baseline, in pixels from the top. */
  y: number;
  font: string;
  size: number;
}

/** Lines of dark text on white, rendered by librsvg with the system's fonts, as a PNG: a stand-in for a screenshot. */
export function textImage(width: number, height: number, lines: readonly TextLineSpec[]): Promise<Buffer> {
  const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const body = lines.map((l) => `<text x="20" y="${l.y}" font-family="${l.font}" font-size="${l.size}" fill="#1f1f1f">${escape(l.text)}</text>`).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${body}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
