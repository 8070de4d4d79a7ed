// PP-OCR's recognition head is CTC (Graves et al. 2006): one class distribution per horizontal step, class 0 the blank.
// The classes after the blank are the dictionary's lines in order, then a space (PaddleOCR's use_space_char).

export interface DecodedText {
  text: string;
  /** Mean of the chosen classes' probabilities over the characters kept; 0 when nothing was read. */
  confidence: number;
}

/** The class labels of a PP-OCR recognition head: blank, the dictionary's characters, then the space. */
export function ctcLabels(dictionary: string): string[] {
  const characters = dictionary.split(/\r?\n/);
  if (characters.at(-1) === "") characters.pop();
  return ["", ...characters, " "];
}

/** Greedy CTC decoding of `steps` rows of `labels.length` probabilities starting at `offset`: argmax, collapse repeats, drop blanks. */
export function ctcGreedyDecode(probs: Float32Array, offset: number, steps: number, labels: readonly string[]): DecodedText {
  const classes = labels.length;
  let text = "";
  let confidenceSum = 0;
  let kept = 0;
  let previous = 0;
  for (let t = 0; t < steps; t++) {
    const row = offset + t * classes;
    let best = 0;
    let bestProb = probs[row];
    for (let c = 1; c < classes; c++) {
      if (probs[row + c] > bestProb) {
        bestProb = probs[row + c];
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += labels[best];
      confidenceSum += bestProb;
      kept++;
    }
    previous = best;
  }
  return { text: text.trim(), confidence: kept === 0 ? 0 : confidenceSum / kept };
}
