/// SlateRecommend: recommendations on graphs — the graph contextual bandit.
///
/// The bandit needs both SlateGraph (message-passing encoders over a map's nodes) and SlateRL
/// (its seeded random stream and the bandit vocabulary), and the showcases never import each
/// other, so it lives one floor above both. Moving LinUCB down into the engine was the other
/// option; it was not taken because SlateRL's `LinUCB` keeps one disjoint model per arm, while
/// here the arms are the map's nodes and share one linear model over their contexts (raw
/// features or GNN embeddings), whose posterior must be re-fit whenever the encoder changes:
/// that algebra (`RidgePosterior`) is specific to this module and small.
///
/// - `TerritoryMap`: the environment (a seeded random geometric graph whose hidden reward
///   depends on a node's features and on its neighbourhood).
/// - `GraphBanditAlgorithm`: `RandomDeployment`, `LinearDeployment` (LinUCB or linear Thompson
///   sampling on fixed contexts) and `NeuralLinearDeployment` (the same on the last layer of a
///   GNN encoder trained online).
/// - `GraphBanditRunner`: averaged cumulative-regret curves over seeded runs.
public enum SlateRecommend {}
