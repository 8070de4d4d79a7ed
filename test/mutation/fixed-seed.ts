// A mutation run's setup file. @fast-check/vitest names each property test "<title> (with seed=N)" with a new random N
// on every load, so the test Stryker found covering a mutant in its dry run would have another name in the mutant's
// run, match nothing, and the mutant would survive untested. One fixed seed keeps the names, and the runs, the same.
import { fc } from "@fast-check/vitest";

fc.configureGlobal({ seed: 18 });
