import Foundation
import Slate
import SlateDistributed
import SlateGPT

/// `slate gpt train --distributed`: the glue between the trainer and a communicator. No math:
/// sharding and averaging live in the trainer's `DataParallel` hook and in SlateDistributed.
enum GPTDistributed {
    /// Joins the run to the other ranks: checks that every rank resolved the same configuration
    /// and text, copies rank 0's parameters to all (fresh, loaded or resumed), checks the
    /// replicas are bit-identical, and turns on sharded batches with averaged gradients.
    static func attach(_ trainer: GPTTrainer, _ comm: Communicator, resume: Bool) throws -> GradientAverager {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let config = String(decoding: try enc.encode(trainer.config), as: UTF8.self)
        let data = trainer.dataset
        try DistributedRun.join(comm, configuration:
            "\(config) text=\(data.train.count)/\(data.val.count)/\(data.tokenizer.vocabulary.map { $0.value }) resume=\(resume) iter=\(trainer.iter) accumulation=\(trainer.gradientAccumulationSteps)",
            parameters: trainer.model.parameters())
        let averager = GradientAverager(comm)
        trainer.dataParallel = DataParallel(comm, averager: averager)
        return averager
    }
}
