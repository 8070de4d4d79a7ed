import indefinite from "indefinite";

const ARTICLE_AND_WORD = /\b(an?|An?) ([A-Za-z0-9][\w-]*)/g;

/** `text` with each "a"/"an" matched to the word after it: a caption grammar's "a {colour}" gives "an orange", not "a orange". */
export function withIndefiniteArticles(text: string): string {
  return text.replace(ARTICLE_AND_WORD, (_, article: string, word: string) => {
    const fitting = indefinite(word, { articleOnly: true, capitalize: article[0] === "A" });
    return `${fitting} ${word}`;
  });
}
