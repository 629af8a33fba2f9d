/// The `Event` messages Slate writes to TensorBoard event files, serialized by hand with
/// `ProtobufEncoder` (field numbers: `proto/tensorboard-event.proto`).
///
/// Four kinds, all with `wall_time` (seconds since 1970, a double) and `step` (int64):
///
/// - the file header, `file_version: "brain.Event:2"`, first in every file;
/// - scalars: one `Summary` with a `Value { tag, simple_value }` per metric;
/// - text: a `Value` whose tensor is a DT_STRING scalar and whose metadata names the "text"
///   plugin, which renders the string as Markdown;
/// - a `SessionLog` START, written by a resumed run at the step it continues from, which tells
///   readers to drop what an earlier, killed process logged at that step or later.
///
/// Proto3 leaves out fields equal to their default (`step: 0`, `wall_time: 0`), except members
/// of a `oneof` (`file_version`, `summary`, `session_log`, `simple_value`), which are written
/// whenever set; these encoders follow the same rules, so their bytes equal the reference
/// serializer's.
enum TensorBoardEvent {
    /// The version string TensorBoard expects in the first event of a file.
    static let fileVersion = "brain.Event:2"

    /// The first event of a file: `file_version` and, in `source_metadata`, the writer's name.
    static func header(wallTime: Double, writer: String) -> [UInt8] {
        event(wallTime: wallTime, step: 0) { e in
            e.string(3, fileVersion)                        // Event.file_version
            e.message(10) { $0.string(1, writer) }          // Event.source_metadata.writer
        }
    }

    /// One `Summary` holding a `simple_value` per (tag, value) pair, in the order given.
    static func scalars(_ values: [(tag: String, value: Float)], step: Int64, wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: step) { e in
            e.message(5) { summary in                       // Event.summary
                for (tag, value) in values {
                    summary.message(1) { v in               // Summary.value (repeated)
                        if !tag.isEmpty { v.string(1, tag) } // Value.tag
                        v.float(2, value)                   // Value.simple_value (oneof)
                    }
                }
            }
        }
    }

    /// A text summary: `text` as a DT_STRING scalar tensor, for TensorBoard's text plugin.
    static func text(tag: String, _ text: String, step: Int64, wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: step) { e in
            e.message(5) { summary in                       // Event.summary
                summary.message(1) { v in                   // Summary.value
                    if !tag.isEmpty { v.string(1, tag) }    // Value.tag
                    v.message(8) { tensor in                // Value.tensor (TensorProto)
                        tensor.int64(1, 7)                  // dtype = DT_STRING
                        tensor.message(2) { _ in }          // tensor_shape: no dims, a scalar
                        tensor.string(8, text)              // string_val[0]
                    }
                    v.message(9) { meta in                  // Value.metadata (SummaryMetadata)
                        meta.message(1) { plugin in         // plugin_data
                            plugin.string(1, "text")        // plugin_name; content: version 0, empty
                        }
                    }
                }
            }
        }
    }

    /// `session_log { status: START }` at `step`: readers drop earlier events with step >= `step`.
    static func sessionStart(step: Int64, wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: step) { e in
            e.message(7) { $0.int64(1, 1) }                 // Event.session_log.status = START
        }
    }

    /// An `Event` with `wall_time` (1) and `step` (2), then the fields `what` writes.
    private static func event(wallTime: Double, step: Int64, _ what: (inout ProtobufEncoder) -> Void) -> [UInt8] {
        var e = ProtobufEncoder()
        if wallTime != 0 { e.double(1, wallTime) }
        if step != 0 { e.int64(2, step) }
        what(&e)
        return e.bytes
    }
}
