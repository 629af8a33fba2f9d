import Foundation
import Slate
import SlateRL

/// Runs one episode of `policy` from a reset with `seed` and returns it with every frame the
/// environment rendered: after the reset, then after each step.
func renderedEpisode(_ environment: any Environment, policy: any Policy, seed: UInt64?) -> (record: EpisodeRecord, frames: [String]) {
    var frames: [String] = []
    let record = runEpisode(environment, policy: policy, seed: seed) { _ in frames.append(environment.render()) }
    return (record, frames)
}

/// `slate rl train --capture-every N`: each time training passes a multiple of N environment
/// steps, at the next update boundary, one episode of the greedy policy is recorded as
/// `<out>/videos/step-<global step>.cast` (asciicast v2) — the terminal version of CleanRL's
/// `--capture-video` folder. Every capture starts from the same seed, so the recordings show
/// the policy improving on one start state.
///
/// Resuming: a capture is taken before the checkpoint of the same boundary, so the recordings
/// up to a checkpoint's step are complete. On resume those past it (made by the killed process
/// after its last checkpoint) are deleted and the resumed run records them again, so each
/// appears once, as in a run never interrupted.
struct EpisodeCapture {
    let every: Int
    let directory: URL
    let environmentID: String
    let seed: UInt64
    let title: String
    /// The next multiple of `every` to pass.
    private(set) var next: Int

    static let fps = 30.0

    /// Starts capturing into `<out>/videos`; with `resumingAt` a checkpoint's step, removes the
    /// recordings past it.
    init(every: Int, out: URL, environmentID: String, seed: UInt64, title: String, resumingAt step: Int?) throws {
        self.every = every
        directory = out.appendingPathComponent("videos", isDirectory: true)
        self.environmentID = environmentID
        self.seed = seed
        self.title = title
        next = ((step ?? 0) / every + 1) * every
        if let step {
            for (url, captured) in try Self.recordings(in: directory) where captured > step {
                try FileManager.default.removeItem(at: url)
            }
        }
    }

    /// At an update boundary: records an episode when `step` has passed the next multiple.
    /// Returns the recording's URL, or nil when none was due.
    @discardableResult
    mutating func boundary(step: Int, policy: any Policy) throws -> URL? {
        guard step >= next else { return nil }
        next = (step / every + 1) * every
        let url = directory.appendingPathComponent(String(format: "step-%06d.cast", step))
        let (record, frames) = renderedEpisode(try makeEnvironment(id: environmentID), policy: policy, seed: seed)
        let heading = "\(title), step \(step), seed \(seed): return \(String(format: "%g", record.episodicReturn))"
        try AsciicastWriter.write(frames: frames, to: url, fps: Self.fps, title: heading)
        return url
    }

    /// The `step-<n>.cast` files in `directory` with their steps.
    static func recordings(in directory: URL) throws -> [(URL, Int)] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil).compactMap { url in
            let name = url.lastPathComponent
            guard name.hasPrefix("step-"), name.hasSuffix(".cast"),
                  let step = Int(name.dropFirst(5).dropLast(5)) else { return nil }
            return (url, step)
        }
    }
}
