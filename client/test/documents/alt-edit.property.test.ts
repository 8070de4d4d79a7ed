// Property test: for every way an alt text can be written, applying the edit for any new alt and parsing the
// document again finds exactly that alt (Markdown folds line breaks into a space, as a label cannot span blocks).
import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import { altTextEdit, type TextEdit } from "../../src/documents/alt-edit";
import { findImageReferences } from "../../src/documents/find-references";
import type { ReferenceLanguage } from "../../src/documents/references";

const apply = (text: string, edit: TextEdit) => text.slice(0, edit.range[0]) + edit.newText + text.slice(edit.range[1]);

const DOCUMENTS: Array<[string, ReferenceLanguage]> = [
  ["![old](a.png)", "markdown"],
  ["text ![](a.png \"title\") text", "markdown"],
  ["![old][r]\n\n[r]: b.png", "markdown"],
  ['<img alt="old" src="a.png">', "html"],
  ["<img alt='old' src=a.png>", "html"],
  ["<img alt=old src=a.png>", "html"],
  ['<p><img src="a.png"></p>', "html"],
  ['<template><img alt="old" src="a.png"></template>', "vue"],
  ['<img alt={"old"} />', "typescriptreact"],
  ["<img alt={'old'} src={src} />", "typescriptreact"],
  ["<img alt={`old`} />", "javascriptreact"],
  ['<img src="a.png" />', "javascriptreact"],
];

const tricky = fc.constantFrom(..."\"'`\\${}[]*_<>&!()#;\n\r\t ", "&amp;", "&#39;", "${x}", "名");
const alt = fc.oneof(fc.string({ unit: fc.oneof(tricky, fc.constantFrom(..."abc ")), minLength: 1, maxLength: 20 }), fc.string({ minLength: 1, maxLength: 20 }));

test.prop([fc.constantFrom(...DOCUMENTS), alt], { numRuns: 400 })("an alt-text edit re-parses to the new alt", ([text, language], newAlt) => {
  const [ref] = findImageReferences(text, language);
  const edited = apply(text, altTextEdit(ref!, newAlt));
  const refs = findImageReferences(edited, language);
  expect(refs, edited).toHaveLength(1);
  const expected = language === "markdown" ? newAlt.replace(/\s*[\r\n]+\s*/g, " ") : newAlt;
  expect(refs[0]!.alt, edited).toBe(expected);
  expect(refs[0]!.src, edited).toBe(ref!.src);
});
