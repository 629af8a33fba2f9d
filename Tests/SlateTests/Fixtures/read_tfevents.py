"""Reads every run under a log directory with TensorBoard's own reader and prints it as JSON.

    python read_tfevents.py LOGDIR

Runs are found as TensorBoard finds them (every directory holding an event file, via
EventMultiplexer.AddRunsFromDirectory); each is read with the classic EventAccumulator, keeping
every event (size_guidance 0, no sampling) and its default purge of orphaned data. Output:

    {"<run>": {"scalars": {"<tag>": [[step, value], ...]},
               "text": {"<tag>": [[step, "<string>"], ...]},
               "text_plugin_tags": ["<tag>", ...]}}

TensorBoardReadBackTests runs it on files Slate wrote; it needs `tensorboard`
(scripts/tensorboard-venv.sh installs it).
"""
import json
import sys

from tensorboard.backend.event_processing import event_accumulator, event_multiplexer
from tensorboard.util import tensor_util

KEEP_ALL = {event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0}

multiplexer = event_multiplexer.EventMultiplexer(size_guidance=KEEP_ALL)
multiplexer.AddRunsFromDirectory(sys.argv[1])
multiplexer.Reload()



def text_plugin_tags(acc):
    """Tags whose metadata hands them to the text plugin (KeyError when there are none)."""
    try:
        return sorted(acc.PluginTagToContent("text"))
    except KeyError:
        return []


out = {}
for run in sorted(multiplexer.Runs()):
    acc = multiplexer.GetAccumulator(run)
    tags = acc.Tags()
    out[run] = {
        "scalars": {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags["scalars"]},
        "text": {t: [[e.step, tensor_util.make_ndarray(e.tensor_proto).item().decode("utf-8")]
                     for e in acc.Tensors(t)] for t in tags["tensors"]},
        "text_plugin_tags": text_plugin_tags(acc),
    }
json.dump(out, sys.stdout)
