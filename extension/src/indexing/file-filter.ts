// Which workspace paths are indexed: the include globs, minus node_modules, .git, files.exclude and the exclude globs.
// Pure over the settings' values, so that the rules are unit-tested.
import picomatch from "picomatch";

export const IMAGE_EXTENSIONS = ["png", "jpg", "jpeg", "gif", "webp", "svg"] as const;
const IMAGE_FILE = new RegExp(`\\.(${IMAGE_EXTENSIONS.join("|")})$`, "i");
const ALWAYS_EXCLUDED = ["**/node_modules/**", "**/.git/**"];

export interface FilterSettings {
  /** llm2clip.indexing.include */
  include: readonly string[];
  /** llm2clip.indexing.exclude */
  exclude: readonly string[];
  /** files.exclude: a pattern is on when its value is true (conditional `when` clauses are not followed). */
  filesExclude: Record<string, unknown>;
}

/** Matches '/'-separated paths relative to the folder that no rule excludes. */
export function exclusionFilter(settings: FilterSettings): (relativePath: string) => boolean {
  const fromFiles = Object.entries(settings.filesExclude)
    .filter(([, enabled]) => enabled === true)
    .flatMap(([pattern]) => [pattern, `${pattern}/**`]);
  const isExcluded = picomatch([...ALWAYS_EXCLUDED, ...fromFiles, ...settings.exclude], { dot: true });
  return (relativePath) => !isExcluded(relativePath);
}

/** Matches the image files to index. */
export function imagePathFilter(settings: FilterSettings): (relativePath: string) => boolean {
  const notExcluded = exclusionFilter(settings);
  const isIncluded = picomatch([...settings.include], { dot: false });
  return (relativePath) => IMAGE_FILE.test(relativePath) && isIncluded(relativePath) && notExcluded(relativePath);
}
