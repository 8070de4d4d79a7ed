// The text read in an image (the daemon's OCR), as the editor shows it: the hover's list of lines, and a search hit's
// matched snippet in the quick pick and the gallery. Pure, so that it is unit-tested without an editor.
import { type GetAssetTextResponse, TextStatus } from "@llm2clip/proto";

const HOVER_LINES = 12;
const SNIPPET_CHARACTERS = 80;

/** The hover's section on the image's text, as Markdown; undefined when there is nothing to say (OCR off). */
export function imageTextMarkdown(response: GetAssetTextResponse): string | undefined {
  switch (response.status) {
    case TextStatus.TEXT_STATUS_READ: {
      if (response.lines.length === 0) return "_No text in the image._";
      const shown = response.lines.slice(0, HOVER_LINES).map((line) => `> ${escapeMarkdown(line.text)}`);
      const more = response.lines.length - HOVER_LINES;
      return [`**Text in the image:**`, "", shown.join("  \n"), ...(more > 0 ? ["", `_…and ${more} more line${more === 1 ? "" : "s"}._`] : [])].join("\n");
    }
    case TextStatus.TEXT_STATUS_PENDING:
      return "_Text in the image: not read yet (queued)._";
    case TextStatus.TEXT_STATUS_FAILED:
      return `_Text in the image could not be read: ${escapeMarkdown(response.error)}._`;
    default:
      return undefined;
  }
}

/** A hit's matched text, quoted and shortened for one line of a list. */
export function snippetLabel(snippet: string): string {
  const text = snippet.replace(/\s+/g, " ").trim();
  return `“${text.length > SNIPPET_CHARACTERS ? `${text.slice(0, SNIPPET_CHARACTERS - 1).trimEnd()}…` : text}”`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, "\\$&");
}
