// Builds a small Llama-3-style tokenizer.json for tests: byte-level BPE with Llama-3's split pattern, its special
// tokens, and a post-processor that adds BOS (as the revised Llama-3 tokenizer.json does).

/** GPT-2's byte-to-unicode table: printable bytes map to themselves, the rest to code points from 256 up. */
export function bytesToUnicode(): Map<number, string> {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table = new Map<number, string>();
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    table.set(b, String.fromCodePoint(printable.includes(b) ? b : 256 + extra++));
  }
  return table;
}

export const SPECIAL_TOKENS = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"];

const LLAMA3_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** Merges: whole words " a", " red", " circle", " dog" and "\n\n"; everything else stays bytes. */
export const MERGES: Array<[string, string]> = [
  ["Ġ", "a"],
  ["Ġ", "r"],
  ["Ġr", "e"],
  ["Ġre", "d"],
  ["Ġ", "c"],
  ["Ġc", "i"],
  ["Ġci", "r"],
  ["Ġcir", "c"],
  ["Ġcirc", "l"],
  ["Ġcircl", "e"],
  ["Ġ", "d"],
  ["Ġd", "o"],
  ["Ġdo", "g"],
  ["Ċ", "Ċ"],
];

/** The post-processing step of Llama-3's revised tokenizer.json: every sequence starts with `<|begin_of_text|>` (id `bos`). */
export function bosTemplateProcessing(bos: number) {
  const begin = (typeId: number) => ({ SpecialToken: { id: "<|begin_of_text|>", type_id: typeId } });
  return {
    type: "TemplateProcessing",
    single: [begin(0), { Sequence: { id: "A", type_id: 0 } }],
    pair: [begin(0), { Sequence: { id: "A", type_id: 0 } }, begin(1), { Sequence: { id: "B", type_id: 1 } }],
    special_tokens: { "<|begin_of_text|>": { id: "<|begin_of_text|>", ids: [bos], tokens: ["<|begin_of_text|>"] } },
  };
}

export interface BuiltTokenizer {
  json: Record<string, unknown>;
  vocab: Map<string, number>;
  /** The id of one byte. */
  byteId(byte: number): number;
  special(token: string): number;
}

export function buildLlama3StyleTokenizer(): BuiltTokenizer {
  const byteToChar = bytesToUnicode();
  const vocab = new Map<string, number>();
  for (let b = 0; b < 256; b++) vocab.set(byteToChar.get(b)!, b);
  for (const [a, b] of MERGES) vocab.set(a + b, vocab.size);
  const specialBase = vocab.size;
  const special = new Map(SPECIAL_TOKENS.map((t, i) => [t, specialBase + i]));
  const bos = special.get("<|begin_of_text|>")!;
  const json = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: special.get(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [
        { type: "Split", pattern: { Regex: LLAMA3_SPLIT }, behavior: "Isolated", invert: false },
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: "Sequence",
      processors: [
        { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
        bosTemplateProcessing(bos),
      ],
    },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges: MERGES.map(([a, b]) => `${a} ${b}`),
    },
  };
  return {
    json,
    vocab,
    byteId: (byte) => vocab.get(byteToChar.get(byte)!)!,
    special: (token) => special.get(token)!,
  };
}
