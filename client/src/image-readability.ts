// Why a local image file cannot be read, found cheaply: from its size, its first bytes, its header (image-size reads
// the dimensions without decoding) and, for PNG, JPEG and GIF, whether the file reaches its end marker. A docs
// repository cloned without `git lfs pull` holds pointer files, and a half-written upload holds a truncated PNG; each
// is one finding, never the end of the run.
import { imageSize } from "image-size";
import { open, stat } from "node:fs/promises";

/** The daemon's default decoded-size limit (maxImagePixels); GetModelInfo reports the served one. */
export const DEFAULT_MAX_IMAGE_PIXELS = 50_000_000;

/** Header bytes enough for image-size on every format it reads. */
const HEAD_BYTES = 64 * 1024;
const LFS_POINTER = "version https://git-lfs.github.com/spec/v1";
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The reason `file` cannot be read as an image, or undefined when it can. */
export async function unreadableReason(file: string, maxPixels = DEFAULT_MAX_IMAGE_PIXELS): Promise<string | undefined> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) return info.code === "ENOENT" || info.code === "ENOTDIR" ? "file not found" : info.message;
  if (info.isDirectory()) return "the source is a folder, not a file";
  if (info.size === 0) return "empty file (0 bytes)";
  const handle = await open(file, "r");
  try {
    const head = Buffer.alloc(Math.min(info.size, HEAD_BYTES));
    await handle.read(head, 0, head.length, 0);
    if (head.subarray(0, LFS_POINTER.length).toString("latin1") === LFS_POINTER) return "Git LFS pointer, not the image (run git lfs pull)";
    let size: { width?: number; height?: number; type?: string };
    try {
      size = imageSize(head);
    } catch {
      return "not an image in a known format, or its header is damaged";
    }
    const pixels = (size.width ?? 0) * (size.height ?? 0);
    if (size.type !== "svg" && pixels > maxPixels) return `${size.width}x${size.height} = ${pixels} pixels, over the limit of ${maxPixels}`;
    if (size.type === "png" && !(await pngReachesEnd(handle, info.size))) return "truncated PNG (no IEND chunk where the chunks end)";
    if (size.type === "jpg" && !(await tailHas(handle, info.size, Buffer.from([0xff, 0xd9])))) return "truncated JPEG (no end-of-image marker)";
    if (size.type === "gif" && !(await tailHas(handle, info.size, Buffer.from([0x3b])))) return "truncated GIF (no trailer)";
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Walks the PNG's chunk headers (8 bytes each, data skipped) to the IEND chunk. */
async function pngReachesEnd(handle: Awaited<ReturnType<typeof open>>, size: number): Promise<boolean> {
  const header = Buffer.alloc(8);
  const signature = Buffer.alloc(PNG_SIGNATURE.length);
  await handle.read(signature, 0, signature.length, 0);
  if (!signature.equals(PNG_SIGNATURE)) return false;
  let at = PNG_SIGNATURE.length;
  while (at + 12 <= size) {
    await handle.read(header, 0, 8, at);
    const length = header.readUInt32BE(0);
    if (header.toString("latin1", 4, 8) === "IEND") return true;
    at += 12 + length;
  }
  return false;
}

/** Encoders may pad after the end marker; look for it in the last bytes. */
async function tailHas(handle: Awaited<ReturnType<typeof open>>, size: number, marker: Buffer): Promise<boolean> {
  const tail = Buffer.alloc(Math.min(size, 32));
  await handle.read(tail, 0, tail.length, size - tail.length);
  return tail.includes(marker);
}
