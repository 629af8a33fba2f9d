/// An architecture of graph classifier: one of the convolutions; `mlp`, the structure-agnostic
/// model that reads no edge (the input features pooled, through the input readout and the head);
/// or `wl`, an MLP on the graph's Weisfeiler–Lehman subtree histogram (`WLReadout`, no convolution).
///
/// An ensemble can mix families (`GraphTrainingConfig.ensembleFamilies`): models that see a graph
/// through different convolutions, or not through its edges at all, make less correlated errors
/// than models of one architecture that differ only in their random streams.
public enum ModelFamily: String, CaseIterable, Codable, Sendable {
    case gcn, gin, sage, gat
    /// No convolution (`GraphClassifierConfig.layers` = 0; needs `inputReadout`).
    case mlp
    /// No convolution: the WL readout alone (`GraphClassifierConfig.wlReadout`), then the head.
    case wl

    /// The family's convolution (nil for `mlp` and `wl`).
    public var conv: ConvKind? { ConvKind(rawValue: rawValue) }

    /// The family of a model with `layers` convolutions of kind `conv` and no WL readout: `mlp` with none.
    public init(conv: ConvKind, layers: Int) {
        self = layers == 0 ? .mlp : ModelFamily(rawValue: conv.rawValue)!
    }
}

extension GraphClassifierConfig {
    /// This configuration as a model of `family`, every other setting kept: for a convolution, that
    /// convolution with the readout and dropout `slate gcn train` gives it by default (GIN reads out
    /// every layer and has no dropout between its convolutions, the others read out the last layer
    /// and have `dropout` there); for `mlp`, no convolution; for `wl`, no convolution and the WL
    /// readout instead of the input readout (`wlIterations` rounds).
    public func family(_ family: ModelFamily) -> GraphClassifierConfig {
        var config = self
        config.wlReadout = family == .wl
        if let conv = family.conv {
            config.conv = conv
            config.jumpingKnowledge = conv == .gin
            config.convolutionDropout = conv == .gin ? 0 : dropout
        } else {
            config.layers = 0
            config.jumpingKnowledge = false
            if family == .wl { config.inputReadout = false }
        }
        return config
    }
}
