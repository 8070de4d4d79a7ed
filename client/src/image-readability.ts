// Why a local image file cannot be read, found cheaply: from its size, its first bytes, its header (image-size reads
// the dimensions without decoding) and, for PNG, JPEG and GIF, whether the file reaches its end marker. A docs
// repository cloned without `git lfs pull` holds pointer files, and a half-written upload holds a truncated PNG; each
// is one finding, never the end of the run.
import { imageSize } from "image-size";
import { readFile, stat } from "node:fs/promises";

/** The daemon's default decoded-size limit (maxImagePixels); GetModelInfo reports the served one. */
export const DEFAULT_MAX_IMAGE_PIXELS = 50_000_000;

/** Header bytes enough for image-size on every format it reads. */
const HEAD_BYTES = 64 * 1024;
const LFS_POINTER = "version https://git-lfs.github.com/spec/v1";
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The reason `file` cannot be read as an image, or undefined when it can. The file is read in one call: a walk over
 * its chunks with one read each cost a thread-pool round trip per chunk, 3x markdownlint's time over 600 screenshots.
 */
export async function unreadableReason(file: string, maxPixels = DEFAULT_MAX_IMAGE_PIXELS): Promise<string | undefined> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) return info.code === "ENOENT" || info.code === "ENOTDIR" ? "file not found" : info.message;
  if (info.isDirectory()) return "the source is a folder, not a file";
  if (info.size === 0) return "empty file (0 bytes)";
  const bytes = await readFile(file);
  if (bytes.subarray(0, LFS_POINTER.length).toString("latin1") === LFS_POINTER) return "Git LFS pointer, not the image (run git lfs pull)";
  let size: { width?: number; height?: number; type?: string };
  try {
    size = imageSize(bytes.subarray(0, HEAD_BYTES));
  } catch {
    return "not an image in a known format, or its header is damaged";
  }
  const pixels = (size.width ?? 0) * (size.height ?? 0);
  if (size.type !== "svg" && pixels > maxPixels) return `${size.width}x${size.height} = ${pixels} pixels, over the limit of ${maxPixels}`;
  if (size.type === "png" && !pngReachesEnd(bytes)) return "truncated PNG (no IEND chunk where the chunks end)";
  if (size.type === "jpg" && !tailHas(bytes, Buffer.from([0xff, 0xd9]))) return "truncated JPEG (no end-of-image marker)";
  if (size.type === "gif" && !tailHas(bytes, Buffer.from([0x3b]))) return "truncated GIF (no trailer)";
  return undefined;
}

/** Walks the PNG's chunk headers (8 bytes each, data skipped) to the IEND chunk. */
function pngReachesEnd(bytes: Buffer): boolean {
  if (!bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) return false;
  for (let at = PNG_SIGNATURE.length; at + 12 <= bytes.length; at += 12 + bytes.readUInt32BE(at)) {
    if (bytes.toString("latin1", at + 4, at + 8) === "IEND") return true;
  }
  return false;
}

/** Encoders may pad after the end marker; look for it in the last bytes. */
function tailHas(bytes: Buffer, marker: Buffer): boolean {
  return bytes.subarray(Math.max(0, bytes.length - 32)).includes(marker);
}
