// RenderThumbnail: a square preview of an image for the editor's pickers (see thumbnail/render-thumbnail.ts).
import type { Llm2ClipServer, RenderThumbnailRequest, RenderThumbnailResponse } from "@llm2clip/proto";
import { DEFAULT_THUMBNAIL_SIZE, renderThumbnail } from "../../thumbnail/render-thumbnail";
import { unaryHandler } from "../call";
import type { ServiceDeps } from "../deps";

export function createThumbnailHandlers(deps: ServiceDeps): Pick<Llm2ClipServer, "renderThumbnail"> {
  const render = async (request: RenderThumbnailRequest): Promise<RenderThumbnailResponse> => {
    const thumbnail = await renderThumbnail(request.image, request.size || DEFAULT_THUMBNAIL_SIZE, deps.limits.maxImagePixels);
    return { png: thumbnail.png, shown: thumbnail.shown, imageWidth: thumbnail.image.width, imageHeight: thumbnail.image.height };
  };
  return { renderThumbnail: unaryHandler("RenderThumbnail", deps.log, render) };
}
