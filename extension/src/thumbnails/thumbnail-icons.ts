// The icons of image search results: each image's thumbnail from the cache (rendered by the daemon on first use), or
// the image itself when its thumbnail cannot be had within a moment, so that results are never held back for long.
import type { RenderThumbnailResponse } from "@llm2clip/proto";
import { mapLimited } from "@llm2clip/client";
import * as vscode from "vscode";
import type { DaemonConnection } from "../connection/connection";
import { ThumbnailCache } from "./thumbnail-cache";

/** Twice the quick pick's 16-32 px icon box, so that HiDPI screens get a sharp picture. */
const THUMBNAIL_SIZE = 64;
const CONCURRENT_RENDERS = 4;
/** How long a search waits for its thumbnails before it shows the rest with the images themselves. */
const WAIT_MS = 1_500;
const RENDER_DEADLINE_MS = 15_000;

export class ThumbnailIcons {
  private readonly cache: ThumbnailCache;

  constructor(
    storage: vscode.Uri,
    connection: DaemonConnection,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.cache = new ThumbnailCache(vscode.Uri.joinPath(storage, "thumbnails").fsPath, async (image, size) => {
      const response = await connection.unary<RenderThumbnailResponse>(
        (client, metadata, options, callback) => client.renderThumbnail({ image, size }, metadata, options, callback),
        RENDER_DEADLINE_MS,
      );
      log.debug(`thumbnail: ${response.imageWidth}x${response.imageHeight}, shown ${JSON.stringify(response.shown)}`);
      return response.png;
    });
  }

  /** One icon per image, in order. */
  async icons(images: readonly vscode.Uri[]): Promise<vscode.Uri[]> {
    const waited = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), WAIT_MS).unref());
    return mapLimited(images, CONCURRENT_RENDERS, async (image) => {
      if (image.scheme !== "file") return image;
      const rendered = this.cache.thumbnail(image.fsPath, THUMBNAIL_SIZE).catch((error: Error) => {
        this.log.warn(`no thumbnail for ${image.fsPath}: ${error.message}`);
        return undefined;
      });
      const file = await Promise.race([rendered, waited]);
      return file ? vscode.Uri.file(file) : image;
    });
  }
}
