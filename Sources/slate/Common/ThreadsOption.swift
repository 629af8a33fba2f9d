import ArgumentParser
import Slate

/// `--threads N`, shared by every command that computes. Add it with `@OptionGroup var threads: ThreadsOption`
/// and call `threads.apply()` at the start of `run()`.
struct ThreadsOption: ParsableArguments {
    @Option(name: .customLong("threads"),
            help: "Threads for Slate's kernels and for BLAS (default: SLATE_NUM_THREADS, else all cores).")
    var count: Int?

    func validate() throws {
        if let count, count < 1 {
            throw ValidationError("--threads must be at least 1 (got \(count)); omit it to use all \(Threads.cores) cores.")
        }
    }

    /// Sets `Threads.count` (and BLAS's thread count with it) when `--threads` was given.
    func apply() {
        if let count { Threads.count = count }
    }
}
