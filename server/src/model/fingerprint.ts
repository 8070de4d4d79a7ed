// The identity of a model's text features. The LLM is frozen, so its pooled features for a caption depend only on
// the llm graph's weights, the tokenizer and the prompt (the manifest's `text` section): hash exactly those.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

export async function textFeatureFingerprint(llmFile: string, tokenizerFile: string, textSection: unknown): Promise<string> {
  const hash = createHash("sha256");
  for (const file of [llmFile, tokenizerFile]) {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    hash.update("\0");
  }
  hash.update(JSON.stringify(textSection));
  return hash.digest("hex");
}
