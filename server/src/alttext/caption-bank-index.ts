import type { Llm2ClipModel } from "../model/types";
import { VectorIndex } from "../store/vector-index";
import { withIndefiniteArticles } from "./articles";
import { loadCaptionBank, type CaptionGrammar } from "./caption-bank";
import { embedTexts } from "./text-embeddings";

interface BankCaption {
  row: number;
  text: string;
}

/** The model's caption bank with every caption embedded once, so ranking it against an image is one scan. */
export class CaptionBankIndex {
  private constructor(
    private readonly captions: BankCaption[],
    private readonly index: VectorIndex<BankCaption>,
    readonly grammar: CaptionGrammar | undefined,
  ) {}

  static async load(model: Llm2ClipModel, file: string): Promise<CaptionBankIndex> {
    const bank = await loadCaptionBank(file);
    // Bank captions become suggestions as they are: "a orange background" in a bank is shown, and scored, as "an orange background".
    const texts = [...new Set(bank.captions.map((caption) => withIndefiniteArticles(caption.trim())).filter((caption) => caption.length > 0))];
    const embeddings = await embedTexts(model, texts);
    const index = new VectorIndex<BankCaption>(model.info.embedDim, texts.length);
    const captions = texts.map((text, i) => {
      const caption = { row: -1, text };
      index.add(caption, embeddings[i]!);
      return caption;
    });
    return new CaptionBankIndex(captions, index, bank.grammar);
  }

  /** The `k` captions closest to the image, best first. */
  best(image: Float32Array, k: number): { text: string; cosine: number }[] {
    const scores = this.index.scores(image);
    return this.captions
      .map((caption) => ({ text: caption.text, cosine: scores[caption.row]! }))
      .sort((a, b) => b.cosine - a.cosine)
      .slice(0, k);
  }
}
