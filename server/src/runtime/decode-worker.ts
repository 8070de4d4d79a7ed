// The decode worker process that runtime/decode-pool.ts forks (bundled as dist/decode-worker.js): it preprocesses one
// image at a time with model/image.ts and answers over the IPC channel. It exits when its parent goes, kill -9 included
// (the channel closes).
import { Llm2ClipError } from "../errors";
import { preprocessImage } from "../model/image";
import type { DecodeReply, DecodeRequest } from "./decode-pool";

function reply(message: DecodeReply): void {
  process.send?.(message);
}

process.on("message", (request: DecodeRequest) => {
  preprocessImage(request.bytes, request.spec, request.maxPixels).then(
    ({ pixels, width, height }) => reply({ kind: "done", id: request.id, pixels, width, height }),
    (error: unknown) => {
      const known = error instanceof Llm2ClipError ? error : undefined;
      reply({
        kind: "failed",
        id: request.id,
        errorKind: known?.kind ?? "internal",
        message: known?.message ?? `image preprocessing failed: ${error instanceof Error ? error.message : String(error)}`,
        field: known?.field,
        retryAfterMs: known?.retryAfterMs,
      });
    },
  );
});
process.on("disconnect", () => process.exit(0));
reply({ kind: "ready" });
