import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rememberedDigest, sha256File, textFeatureFingerprint } from "../../src/model/fingerprint";

const scratch = mkdtempSync(path.join(tmpdir(), "llm2clip-fingerprint-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("text-feature fingerprints", () => {
  it("hash a file's bytes", async () => {
    const file = path.join(scratch, "abc");
    writeFileSync(file, "abc");
    expect(await sha256File(file)).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("change with the llm file, the tokenizer and the text section, and only with them", async () => {
    const llm = path.join(scratch, "llm.onnx");
    const tokenizer = path.join(scratch, "tokenizer.json");
    writeFileSync(llm, "weights");
    writeFileSync(tokenizer, "{}");
    const text = { max_length: 512, prompt_prefix: "p" };
    const base = await textFeatureFingerprint(llm, tokenizer, text);
    expect(await textFeatureFingerprint(llm, tokenizer, { ...text })).toBe(base);

    // A copy of the same bytes elsewhere, with another mtime, is the same model.
    const llmCopy = path.join(scratch, "llm-copy.onnx");
    writeFileSync(llmCopy, "weights");
    utimesSync(llmCopy, 1_600_000_000, 1_600_000_000);
    expect(await textFeatureFingerprint(llmCopy, tokenizer, text)).toBe(base);

    const fingerprints = new Set([base]);
    fingerprints.add(await textFeatureFingerprint(llm, tokenizer, { ...text, max_length: 256 }));
    writeFileSync(llm, "weights, retrained");
    fingerprints.add(await textFeatureFingerprint(llm, tokenizer, text));
    writeFileSync(llm, "weights");
    expect(await textFeatureFingerprint(llm, tokenizer, text)).toBe(base);
    writeFileSync(tokenizer, "{ }");
    fingerprints.add(await textFeatureFingerprint(llm, tokenizer, text));
    expect(fingerprints.size).toBe(4);
  });

  it("remember a digest by path, size and mtime, and recompute it when either changes", async () => {
    const file = path.join(scratch, "big.onnx");
    const db = path.join(scratch, "digests.sqlite");
    const when = 1_700_000_000; // whole seconds, so that setting it again gives the same mtime exactly
    writeFileSync(file, "aaaa");
    utimesSync(file, when, when);
    const digest = rememberedDigest(db);
    const first = await digest(file);
    expect(first).toBe(await sha256File(file));

    // Same size and mtime, other bytes: the remembered digest is used, so the file was not read again.
    writeFileSync(file, "bbbb");
    utimesSync(file, when, when);
    expect(statSync(file).size).toBe(4);
    expect(await rememberedDigest(db)(file)).toBe(first);

    // A new mtime: hashed again.
    utimesSync(file, when, when + 5);
    expect(await rememberedDigest(db)(file)).toBe(await sha256File(file));
    expect(await sha256File(file)).not.toBe(first);
  });
});
