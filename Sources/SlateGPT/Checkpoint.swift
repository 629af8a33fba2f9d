import Foundation
import Slate

/// GPT checkpoints: nanoGPT's `state_dict` in safetensors, with PyTorch's names and layouts,
/// plus `__metadata__` = { format: "slate.gpt", format_version: "1", config: <GPTConfig JSON>,
/// vocab: <JSON array of the characters in id order> }.
///
/// The LM head is tied to the token embedding. A file may hold `transformer.wte.weight`,
/// `lm_head.weight` or both (safetensors' `save_model` keeps one name of a shared pair); Slate
/// writes both, so nanoGPT's strict `load_state_dict` accepts the file.
public enum GPTCheckpoint {
    public static let format = "slate.gpt"
    public static let formatVersion = "1"
    /// `__metadata__["kind"]` of a training checkpoint (`checkpoint.safetensors`): a model file
    /// plus the optimizer state under ``optimizerPrefix`` and the run's position.
    public static let trainingKind = "training"
    /// The name prefix of optimizer-state tensors in a training checkpoint.
    public static let optimizerPrefix = "optimizer."

    /// The checkpoint of `model` as a safetensors file, with any `extraMetadata` added.
    public static func file(_ model: GPT, tokenizer: CharTokenizer,
                            extraMetadata: [String: String] = [:]) -> GPTCheckpointFile {
        var tensors: [(name: String, tensor: Tensor)] = model.namedParameters().map { ($0.0, $0.1) }
        tensors.append(("lm_head.weight", model.wte))
        let vocab = tokenizer.vocabulary.map { String($0) }
        let vocabJSON = String(decoding: try! JSONSerialization.data(withJSONObject: vocab), as: UTF8.self)
        var metadata = extraMetadata
        metadata["format"] = format
        metadata["format_version"] = formatVersion
        metadata["config"] = model.config.json()
        metadata["vocab"] = vocabJSON
        return GPTCheckpointFile(tensors: tensors, metadata: metadata)
    }

    /// Writes `model` to `path` atomically.
    public static func save(_ model: GPT, tokenizer: CharTokenizer, to path: String,
                            extraMetadata: [String: String] = [:]) throws {
        try file(model, tokenizer: tokenizer, extraMetadata: extraMetadata).write(to: path)
    }

    /// Reads a checkpoint file into a model and its tokenizer.
    public static func load(_ path: String) throws -> (model: GPT, tokenizer: CharTokenizer) {
        try load(GPTCheckpointFile.read(path), name: path)
    }

    /// The configuration and tokenizer a checkpoint's `__metadata__` describes, fully validated
    /// (sizes in range, memory available, vocabulary of distinct characters matching vocab_size)
    /// before anything is allocated; `name` labels errors.
    public static func header(_ meta: [String: String], name: String) throws -> (config: GPTConfig, tokenizer: CharTokenizer) {
        func bad(_ why: String) -> GPTError { .badCheckpoint("\(name): \(why)") }
        if let f = meta["format"], f != format {
            throw bad("format is \"\(f)\", not \"\(format)\", so this is not a GPT checkpoint; pass a model.safetensors written by `slate gpt train`")
        }
        if let v = meta["format_version"], v != formatVersion {
            throw bad("format_version \(v) is not supported (this build reads \(formatVersion)); save the model again with this version")
        }
        guard let configJSON = meta["config"] else {
            throw bad("__metadata__ lacks \"config\" (JSON with n_layer, n_head, n_embd, block_size, vocab_size, bias, dropout); pass a checkpoint written by `slate gpt train`")
        }
        guard let vocabJSON = meta["vocab"] else {
            throw bad("__metadata__ lacks \"vocab\", a JSON array of single characters; pass a checkpoint written by `slate gpt train`")
        }
        let config = try GPTConfig.decode(json: configJSON, source: name)
        let tokenizer = try CharTokenizer.decode(json: vocabJSON, source: name)
        guard tokenizer.count == config.vocabSize else {
            throw bad("vocab has \(tokenizer.count) characters but config.vocab_size is \(config.vocabSize); the file is corrupt")
        }
        return (config, tokenizer)
    }

    /// Builds the model and tokenizer a parsed checkpoint describes; `name` labels errors.
    /// Every tensor must be present with its shape and finite; extra tensors are refused by name.
    public static func load(_ file: GPTCheckpointFile, name: String) throws -> (model: GPT, tokenizer: CharTokenizer) {
        func bad(_ why: String) -> GPTError { .badCheckpoint("\(name): \(why)") }
        let meta = file.metadata
        let (config, tokenizer) = try header(meta, name: name)
        // Bound the model by what the file holds before allocating it: a hostile config (n_embd 2^62)
        // must be an error, not an allocation. Within twice the file (plus 1M weights of slack) the
        // model is built, so that a missing tensor is named below rather than counted here.
        let stored = file.tensors.reduce(0) { $0 + $1.tensor.count }
        guard let needed = config.parameterCount, needed <= 2 * stored + 1 << 20 else {
            throw bad("its config (n_layer \(config.nLayer), n_embd \(config.nEmbd), block_size \(config.blockSize)) needs more weights than the file's \(stored) values")
        }
        for (tensorName, tensor) in file.tensors {
            let count = tensor.nonFiniteCount
            guard count == 0 else {
                throw bad("tensor \(tensorName) holds \(count) NaN or infinite value\(count == 1 ? "" : "s") out of \(tensor.count); the weights are corrupt or come from a diverged run, so load an earlier checkpoint")
            }
        }
        let model = try GPT(config, seed: 0)

        var available: [String: Tensor] = [:]
        let isTraining = meta["kind"] == trainingKind
        for (n, t) in file.tensors where !(isTraining && n.hasPrefix(optimizerPrefix)) { available[n] = t }
        // The tied embedding: either name alone, or both with equal contents.
        let wteName = "transformer.wte.weight", headName = "lm_head.weight"
        switch (available[wteName], available[headName]) {
        case (nil, nil):
            throw bad("holds neither \(wteName) nor \(headName)")
        case let (w?, h?) where w.shape != h.shape:
            throw bad("\(headName) has shape \(h.shape) but \(wteName) has \(w.shape); they are one tied matrix, so the file is corrupt")
        case let (w?, h?) where w.toArray().map(\.bitPattern) != h.toArray().map(\.bitPattern):
            throw bad("\(headName) differs from \(wteName); Slate's GPT ties the LM head to the token embedding, so an untied head cannot be loaded")
        case let (w?, _):
            available[headName] = nil
            available[wteName] = w
        case let (nil, h?):
            available[headName] = nil
            available[wteName] = h
        }
        for (pname, p) in model.namedParameters() {
            guard let t = available.removeValue(forKey: pname) else {
                throw bad("missing tensor \(pname) (expected shape \(p.shape)); was it saved with bias=\(config.bias)?")
            }
            guard t.shape == p.shape else { throw bad("tensor \(pname) has shape \(t.shape), expected \(p.shape)") }
            p.pointer.update(from: t.pointer, count: p.count)
        }
        // nanoGPT without flash attention also registers the causal mask buffer `*.attn.bias` (1, 1, T, T).
        let leftover = available.keys.filter { !($0.hasSuffix(".attn.bias") && available[$0]!.rank == 4) }.sorted()
        guard leftover.isEmpty else { throw bad("unexpected tensors \(leftover.prefix(5).joined(separator: ", ")) for config \(config)") }
        return (model, tokenizer)
    }
}
