/// A minimal protocol-buffer wire-format encoder: just what TensorBoard's `Event` and `Summary`
/// messages need (field numbers in `proto/tensorboard-event.proto`).
///
/// Each field is a key `(field_number << 3) | wire_type` as a varint, then its payload:
///
///     wire type 0  varint            int64 / int32 / enum / bool: 7 bits a byte, low bits first,
///                                    high bit set on every byte but the last; negative int64
///                                    as its two's-complement UInt64 (ten bytes)
///     wire type 1  fixed64           double, 8 bytes little-endian
///     wire type 2  length-delimited  string (UTF-8) / bytes / sub-message: varint length, bytes
///     wire type 5  fixed32           float, 4 bytes little-endian
///
/// The encoder writes every field it is asked to; leaving out proto3 default values (0, "", an
/// unset message) is the caller's job, as is writing fields in field-number order (which is what
/// the reference serializers do, so the bytes compare equal).
struct ProtobufEncoder {
    /// The serialized message so far.
    private(set) var bytes: [UInt8] = []

    /// Wire types (the low three bits of a field key).
    enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    /// Appends `value` as a base-128 varint.
    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Appends the key of field `number` with `wireType`.
    mutating func appendKey(_ number: Int, _ wireType: WireType) {
        appendVarint(UInt64(number) << 3 | wireType.rawValue)
    }

    /// An `int64`, `int32` or enum field (varint; negatives take ten bytes, as in protobuf).
    mutating func int64(_ number: Int, _ value: Int64) {
        appendKey(number, .varint)
        appendVarint(UInt64(bitPattern: value))
    }

    /// A `double` field (fixed64).
    mutating func double(_ number: Int, _ value: Double) {
        appendKey(number, .fixed64)
        bytes += TFRecord.littleEndianBytes(value.bitPattern)
    }

    /// A `float` field (fixed32).
    mutating func float(_ number: Int, _ value: Float) {
        appendKey(number, .fixed32)
        bytes += TFRecord.littleEndianBytes(value.bitPattern)
    }

    /// A `bytes` field, or one element of a `repeated bytes` field.
    mutating func bytes(_ number: Int, _ value: [UInt8]) {
        appendKey(number, .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes += value
    }

    /// A `string` field (UTF-8).
    mutating func string(_ number: Int, _ value: String) {
        bytes(number, Array(value.utf8))
    }

    /// A sub-message field whose fields `body` writes (an empty body still marks the field set).
    mutating func message(_ number: Int, _ body: (inout ProtobufEncoder) -> Void) {
        var inner = ProtobufEncoder()
        body(&inner)
        bytes(number, inner.bytes)
    }
}
