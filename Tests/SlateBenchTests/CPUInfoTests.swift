import XCTest
import Slate
@testable import SlateBench

/// `CPUInfo.parse` on /proc/cpuinfo layouts from a Raspberry Pi 5, a Pi 4 and an x86 server.
final class CPUInfoTests: XCTestCase {
    /// Shape of a Raspberry Pi OS (64-bit) /proc/cpuinfo: four cores, then the board lines.
    static let pi5 = (0..<4).map { i in
        """
        processor\t: \(i)
        BogoMIPS\t: 108.00
        Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
        CPU implementer\t: 0x41
        CPU architecture: 8
        CPU variant\t: 0x4
        CPU part\t: 0xd0b
        CPU revision\t: 1

        """
    }.joined() + """
        Revision\t: d04170
        Serial\t\t: 0123456789abcdef
        Model\t\t: Raspberry Pi 5 Model B Rev 1.0

        """

    func testRaspberryPi5() {
        let info = CPUInfo.parse(cpuinfo: Self.pi5, deviceTreeModel: "Raspberry Pi 5 Model B Rev 1.0\0",
                                 cpufreqKHz: 2_400_000)
        XCTAssertEqual(info.board, "Raspberry Pi 5 Model B Rev 1.0")
        XCTAssertEqual(info.armCore, "Cortex-A76")
        XCTAssertEqual(info.model, "Cortex-A76")
        XCTAssertEqual(info.logicalCores, 4)
        XCTAssertEqual(info.cpufreqMHz, 2400)
        XCTAssertNil(info.reportedMHz)
        XCTAssertEqual(info.features, ["asimd"])
        XCTAssertTrue(info.summary.contains("Raspberry Pi 5"))
    }

    func testRaspberryPi4WithoutDeviceTreeUsesCpuinfoModel() {
        let text = Self.pi5.replacingOccurrences(of: "0xd0b", with: "0xd08")
            .replacingOccurrences(of: "Pi 5 Model B Rev 1.0", with: "Pi 4 Model B Rev 1.4")
        let info = CPUInfo.parse(cpuinfo: text)
        XCTAssertEqual(info.board, "Raspberry Pi 4 Model B Rev 1.4")
        XCTAssertEqual(info.armCore, "Cortex-A72")
    }

    func testX86Server() {
        let text = (0..<2).map { i in
            """
            processor\t: \(i)
            vendor_id\t: AuthenticAMD
            cpu family\t: 25
            model\t\t: 17
            model name\t: AMD EPYC 9R14
            cpu MHz\t\t: 2596.142
            flags\t\t: fpu sse sse2 avx fma avx2 avx512f avx512vl

            """
        }.joined()
        let info = CPUInfo.parse(cpuinfo: text, deviceTreeModel: nil)
        XCTAssertEqual(info.model, "AMD EPYC 9R14")
        XCTAssertNil(info.board, "x86 'model : 17' is a number, not a board")
        XCTAssertNil(info.armCore)
        XCTAssertEqual(info.logicalCores, 2)
        XCTAssertEqual(info.reportedMHz ?? 0, 2596.142, accuracy: 1e-9)
        XCTAssertEqual(info.features, ["avx2", "fma", "avx512f"])
    }

    func testUnknownArmPartAndEmptyText() {
        let info = CPUInfo.parse(cpuinfo: "processor : 0\nCPU implementer : 0x51\nCPU part : 0x801\nHardware : Qualcomm\n")
        XCTAssertNil(info.armCore)
        XCTAssertEqual(info.model, "Qualcomm")
        XCTAssertEqual(CPUInfo.parse(cpuinfo: "").model, "unknown CPU")
    }

    func testCurrentMachineHasCores() {
        XCTAssertGreaterThan(CPUInfo.current.logicalCores, 0)
    }
}
