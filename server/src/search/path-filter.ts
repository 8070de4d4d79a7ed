import picomatch from "picomatch";
import { invalidArgument } from "../errors";

const MAX_GLOBS = 64;
const MAX_GLOB_LENGTH = 1024;

/** A path predicate: at least one include glob matches (when any are given) and no exclude glob does. */
export function pathFilter(include: readonly string[], exclude: readonly string[]): (path: string) => boolean {
  const compile = (globs: readonly string[], field: string) => {
    if (globs.length > MAX_GLOBS) throw invalidArgument(field, `${globs.length} globs, the limit is ${MAX_GLOBS}`);
    globs.forEach((glob, i) => {
      if (glob.length === 0 || glob.length > MAX_GLOB_LENGTH) {
        throw invalidArgument(`${field}[${i}]`, `a glob must have 1 to ${MAX_GLOB_LENGTH} characters`);
      }
    });
    return globs.length > 0 ? picomatch([...globs], { dot: true }) : undefined;
  };
  const included = compile(include, "include_globs");
  const excluded = compile(exclude, "exclude_globs");
  return (path) => (!included || included(path)) && !(excluded && excluded(path));
}
