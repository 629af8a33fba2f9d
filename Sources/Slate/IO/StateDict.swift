import Foundation

/// Saving and loading a module's parameters by name, as PyTorch's `state_dict()`.

/// A state dict does not fit the module.
public struct StateDictError: Error, CustomStringConvertible {
    /// One line: which parameter and what is wrong (names from the file are escaped).
    public let description: String
    init(description: String) { self.description = oneLine(description) }
}

extension Module {
    /// The parameters by dotted name (a copy-free view: the tensors are the parameters themselves).
    public func stateDict() -> [(String, Tensor)] { namedParameters() }

    /// Copies `state` into the parameters, matching by name and checking shapes.
    ///
    /// With `strict`, a name the module lacks is an error as well as a parameter the state lacks;
    /// without it, only parameters present in `state` are loaded (missing ones keep their values).
    /// A tensor holding NaN or ±Inf is refused (named, with the number of bad values).
    /// Nothing is modified unless every check passes.
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws {
        let named = namedParameters()
        let ours = Set(named.map { $0.0 })
        let missing = named.map { $0.0 }.filter { state[$0] == nil }
        let unexpected = state.keys.filter { !ours.contains($0) }.sorted()
        if strict && (!missing.isEmpty || !unexpected.isEmpty) {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
            if !unexpected.isEmpty { parts.append("unexpected \(unexpected.joined(separator: ", "))") }
            throw StateDictError(description: "state dict does not match the model: " + parts.joined(separator: "; ")
                                 + " (was it saved from a model with the same configuration?)")
        }
        for (name, p) in named {
            if let t = state[name], t.shape != p.shape {
                throw StateDictError(description: "parameter '\(name)' has shape \(t.shape) in the state dict but \(p.shape) in the model")
            }
            if let t = state[name], case let bad = t.nonFiniteCount, bad > 0 {
                throw StateDictError(description: "parameter '\(name)' holds \(bad) NaN or infinite value\(bad == 1 ? "" : "s") out of \(t.count); the weights are corrupt or come from a diverged run, so load an earlier checkpoint")
            }
        }
        for (name, p) in named {
            if let t = state[name] { p.pointer.update(from: t.pointer, count: p.count) }
        }
    }

    /// Writes the parameters to a safetensors file (atomically), with `metadata`.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(stateDict(), metadata: metadata, to: url)
    }

    /// Loads parameters from a safetensors file and returns its metadata.
    @discardableResult
    public func load(from url: URL, strict: Bool = true) throws -> [String: String] {
        let file = try SafeTensors.read(from: url)
        try file.checkFinite()
        try loadStateDict(file.tensors, strict: strict)
        return file.metadata
    }
}
