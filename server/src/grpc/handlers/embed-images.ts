// EmbedImages: a bidi stream of image chunks in, embeddings out in the order the images were completed.
// A failed image answers with `error` set and the stream goes on.
import { once } from "node:events";
import { status, type handleBidiStreamingCall, type ServerDuplexStream } from "@grpc/grpc-js";
import type { EmbedImagesRequest, EmbedImagesResponse } from "@llm2clip/proto";
import { cancellationSignal } from "../call";
import type { ServiceDeps } from "../deps";
import { statusCodeOf, toServiceError } from "../errors";
import { ImageAssembler, type AssembledImage } from "../image-assembler";
import { StreamByteBudget, type GlobalByteBudget } from "../stream-budget";
import { StreamIdleTimer } from "../stream-idle";
import { encodeImage, toEmbedding } from "./encode";

/** Images of one stream being embedded at once; reading pauses beyond this, so a fast client cannot queue unbounded work. */
const MAX_IMAGES_IN_FLIGHT = 16;

type Call = ServerDuplexStream<EmbedImagesRequest, EmbedImagesResponse>;

export function createEmbedImagesHandler(
  { model, limits, log }: ServiceDeps,
  buffers: GlobalByteBudget,
): handleBidiStreamingCall<EmbedImagesRequest, EmbedImagesResponse> {
  return (call: Call) => {
    const signal = cancellationSignal(call);
    const budget = new StreamByteBudget(buffers, limits.maxStreamBufferBytes);
    const assembler = new ImageAssembler(budget);
    let inFlight = 0;
    let written: Promise<void> = Promise.resolve();
    let answered = 0;
    let ended = false;
    let clientEnded = false;
    const fail = (error: unknown) => {
      if (ended || signal.aborted) return;
      ended = true;
      idle.stop();
      budget.close();
      log.warn(`EmbedImages: ${(error as Error).message}`);
      call.emit("error", toServiceError(error));
    };
    const idle = new StreamIdleTimer(limits.streamIdleMs, () => inFlight === 0 && !clientEnded, fail);

    const embed = async (image: AssembledImage): Promise<EmbedImagesResponse> => {
      if ("error" in image) return failure(image.id, image.error);
      try {
        const { embedding, width, height } = await encodeImage(model, "chunk", image.bytes, signal);
        return { id: image.id, embedding: toEmbedding(embedding), width, height };
      } catch (error) {
        if (statusCodeOf(error) === status.INTERNAL) log.error(`EmbedImages: image '${image.id}': ${(error as Error).stack ?? String(error)}`);
        return failure(image.id, error);
      } finally {
        assembler.release(image.bytes.length);
      }
    };

    // Images embed concurrently, but results are written in the order the images arrived (their last chunk): each
    // write waits for the one before it, so a slow image holds back the answers behind it on this stream.
    const complete = (image: AssembledImage) => {
      const response = embed(image);
      if (++inFlight >= MAX_IMAGES_IN_FLIGHT) call.pause();
      written = written.then(async () => {
        const result = await response;
        if (--inFlight < MAX_IMAGES_IN_FLIGHT) call.resume();
        if (signal.aborted || ended) return;
        answered++;
        idle.touch();
        if (!call.write(result)) await once(call, "drain", { signal }).catch(() => undefined);
      });
    };

    call.on("data", (request: EmbedImagesRequest) => {
      if (signal.aborted || ended) return;
      idle.touch();
      let image: AssembledImage | undefined;
      try {
        image = assembler.add(request);
      } catch (error) {
        return fail(error);
      }
      if (image !== undefined) complete(image);
    });
    call.on("end", () => {
      clientEnded = true;
      for (const image of assembler.closeUnfinished()) complete(image);
      void written.then(() => {
        if (signal.aborted || ended) return;
        ended = true;
        idle.stop();
        budget.close();
        call.end();
      });
    });
    signal.addEventListener("abort", () => {
      idle.stop();
      budget.close();
      if (!ended) log.info(`EmbedImages: stopped, the call was cancelled or its deadline passed; ${answered} images were answered`);
    });
  };
}

function failure(id: string, error: unknown): EmbedImagesResponse {
  const message = error instanceof Error ? error.message : String(error);
  return { id, error: { code: statusCodeOf(error), message }, width: 0, height: 0 };
}
