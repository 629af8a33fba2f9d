"""Generates reference.tfevents with TensorBoard's own Python writer (tensorboard 2.21.0,
protobuf 7.36.2): the protobuf classes of `tensorboard.compat.proto`, the text plugin's `text_pb`,
and `RecordWriter`, the TFRecord framing behind `tensorboard.summary.writer.EventFileWriter`.

Run once from this directory:
    python3 -m venv /tmp/tb && /tmp/tb/bin/pip install tensorboard==2.21.0
    /tmp/tb/bin/python make_reference_tfevents.py
TensorBoardEventTests.testEncodesTheReferenceWritersBytes builds the same six events with Slate's
encoder and compares the whole file byte for byte. Wall times are fixed so the bytes are too.
"""
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.plugins.text.summary_v2 import text_pb
from tensorboard.summary.writer.record_writer import RecordWriter

CONFIG = "```toml\n# résumé of the run\nlearning_rate = 0.001\nmax_iters = 5000\nn_embd = 384\n" \
         "dataset = \"shakespeare_char\"\n```"


def scalars(wall_time, step, values):
    summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=t, simple_value=v) for t, v in values])
    return event_pb2.Event(wall_time=wall_time, step=step, summary=summary)


events = [
    # The header: file version and writer, as EventFileWriter writes it (writer name changed).
    event_pb2.Event(wall_time=1700000000.25, file_version="brain.Event:2",
                    source_metadata=event_pb2.SourceMetadata(writer="slate")),
    scalars(1700000001.5, 1, [("train/loss", 2.5), ("train/lr", 0.001)]),
    # Step 0 and a zero value: proto3 drops step 0 but keeps a oneof member equal to 0.
    scalars(1700000002.0, 0, [("val/loss", 0.0)]),
    # A step that takes a three-byte varint, negative and tiny values.
    scalars(1700000002.75, 300000, [("charts/episodic_return", -12.75), ("losses/approx_kl", 1e-8)]),
    # The resolved config as a text summary, longer than 127 bytes (two-byte lengths), with UTF-8.
    event_pb2.Event(wall_time=1700000003.0, step=0, summary=text_pb("config", CONFIG)),
    # What a run resumed at step 40 writes first.
    event_pb2.Event(wall_time=1700000004.0, step=40,
                    session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START)),
]

with open("reference.tfevents", "wb") as f:
    writer = RecordWriter(f)
    for event in events:
        writer.write(event.SerializeToString())
