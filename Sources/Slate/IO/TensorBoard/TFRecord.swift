/// TFRecord framing, the container format of TensorBoard event files.
///
/// A file is a sequence of records; each record is
///
///     uint64  length           little-endian, the byte count of `data`
///     uint32  masked_crc32c(length bytes)
///     byte    data[length]     here: one serialized `Event` message
///     uint32  masked_crc32c(data)
///
/// The checksum is CRC-32C (Castagnoli), "masked" so that a CRC computed over bytes that
/// themselves contain CRCs does not degenerate: rotate right by 15 bits, then add 0xa282ead8.
/// A reader that meets a truncated last record (a writer killed mid-write) stops before it,
/// so a record either counts whole or not at all.
enum TFRecord {
    /// Frames `data` as one record: length, masked CRC of the length, data, masked CRC of the data.
    static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = littleEndianBytes(UInt64(data.count))
        out += length
        out += littleEndianBytes(maskedCRC32C(length))
        out += data
        out += littleEndianBytes(maskedCRC32C(data))
        return out
    }

    /// The mask TensorFlow puts on stored CRCs: `((crc >> 15) | (crc << 17)) &+ 0xa282ead8`.
    static func mask(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xa282_ead8
    }

    /// `mask(crc32c(bytes))`.
    static func maskedCRC32C(_ bytes: [UInt8]) -> UInt32 {
        mask(CRC32C.checksum(bytes))
    }

    /// The bytes of `value`, least significant first.
    static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}

/// CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78), the checksum used by
/// TFRecord, iSCSI and ext4. Byte-at-a-time with a 256-entry table: an event record is tens
/// to a few thousand bytes, so the simple loop is enough.
///
/// Parameters: initial value 0xFFFFFFFF, input and output reflected, final XOR 0xFFFFFFFF;
/// check value `checksum("123456789") == 0xE3069283`.
enum CRC32C {
    /// `table[b]` is the CRC register after shifting the byte `b` through eight reflected steps.
    static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 {
            crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
        }
        return crc
    }

    /// The CRC-32C of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}
