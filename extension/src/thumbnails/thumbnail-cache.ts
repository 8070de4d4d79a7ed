// Search-result thumbnails, kept on disk by content hash: an image is rendered once (by the daemon's RenderThumbnail)
// and every later search that shows it, in this window or after a reload, reads the file. Free of `vscode`, so that
// the unit tests run it on real files.
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { FileHashes } from "@llm2clip/client";

/** Renders a `size` x `size` PNG of the encoded image `bytes`. */
export type RenderThumbnail = (bytes: Buffer, size: number) => Promise<Uint8Array>;

/** Bumped when the daemon's rendering changes, so that old thumbnails are not shown. */
const RENDERING = "v1";

export class ThumbnailCache {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly folder: string,
    private readonly render: RenderThumbnail,
    private readonly hashes = new FileHashes(),
  ) {}

  /** The PNG file of `image`'s thumbnail, rendered on first use; concurrent calls for the same content share one render. */
  async thumbnail(image: string, size: number): Promise<string> {
    const { sha256 } = await this.hashes.hash(image);
    const file = path.join(this.folder, `${sha256}-${size}-${RENDERING}.png`);
    let pending = this.pending.get(file);
    if (!pending) {
      pending = this.ensure(file, image, size).finally(() => this.pending.delete(file));
      this.pending.set(file, pending);
    }
    return pending;
  }

  private async ensure(file: string, image: string, size: number): Promise<string> {
    if (await stat(file).then((info) => info.size > 0, () => false)) return file;
    const png = await this.render(await readFile(image), size);
    await mkdir(this.folder, { recursive: true });
    // Written aside and renamed, so that a reader never sees half a PNG.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, png);
    await rename(partial, file);
    return file;
  }
}
