import Dataset
import Foundation
import Testing
import TestSupport

@Suite struct PNGTests {
    func decode(_ png: TestPNG) throws -> [UInt8] { try PNG.decode(png.encoded(), path: "test.png").pixels }

    /// Every gray level a bit depth can hold, as 8-bit: 1-bit 0/255, 2-bit ×85, 4-bit ×17, 16-bit ÷257.
    @Test(arguments: [1, 2, 4, 8, 16], [false, true])
    func grayAtEveryBitDepth(bitDepth: Int, interlaced: Bool) throws {
        let levels = 1 << bitDepth
        // 11×7 is odd in both directions, so partial bytes and every Adam7 pass get exercised.
        let samples = (0..<77).map { ($0 * 7919) % levels }
        var png = TestPNG(width: 11, height: 7, colorType: .gray, bitDepth: bitDepth, samples: samples)
        png.interlaced = interlaced
        let expected = samples.map { v -> UInt8 in
            bitDepth == 16 ? UInt8((Double(v) / 257).rounded()) : UInt8(v * 255 / (levels - 1))
        }
        let pixels = try decode(png)
        if bitDepth == 16 && interlaced {
            // Read through 16-bit linear light (see PNG.finishInterlaced16): within one level.
            #expect(zip(pixels, expected).allSatisfy { abs(Int($0) - Int($1)) <= 1 }, "\(pixels) vs \(expected)")
        } else {
            #expect(pixels == expected)
        }
    }

    @Test(arguments: [8, 16], [false, true])
    func grayAlphaCompositesOntoWhite(bitDepth: Int, interlaced: Bool) throws {
        let top = (1 << bitDepth) - 1
        let unit = top / 255
        // gray 0 opaque, gray 0 transparent, gray 100 opaque, gray 0 half transparent
        let samples = [0, top, 0, 0, 100 * unit, top, 0, top / 2]
        var png = TestPNG(width: 4, height: 1, colorType: .grayAlpha, bitDepth: bitDepth, samples: samples)
        png.interlaced = interlaced
        let pixels = try decode(png)
        #expect(Array(pixels.prefix(3)) == [0, 255, 100])
        // Half-covered black on white, blended in linear light as libpng does: sRGB(0.5) ≈ 188.
        #expect(abs(Int(pixels[3]) - 188) <= 2, "\(pixels[3])")
    }

    @Test(arguments: [TestPNG.ColorType.rgb, .rgba], [8, 16])
    func colourBecomesLuminance(colorType: TestPNG.ColorType, bitDepth: Int) throws {
        for interlaced in [false, true] {
            try colourBecomesLuminance(colorType: colorType, bitDepth: bitDepth, interlaced: interlaced)
        }
    }

    func colourBecomesLuminance(colorType: TestPNG.ColorType, bitDepth: Int, interlaced: Bool) throws {
        let unit = ((1 << bitDepth) - 1) / 255
        let colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [100, 100, 100], [255, 255, 255], [0, 0, 0]]
        let samples = colours.flatMap { rgb in (rgb + (colorType == .rgba ? [255] : [])).map { $0 * unit } }
        var png = TestPNG(width: 6, height: 1, colorType: colorType, bitDepth: bitDepth, samples: samples)
        png.interlaced = interlaced
        var pixels = try decode(png)
        // Grays come through exactly; pure colours as their sRGB luminance (Rec. 709 weights in linear light).
        #expect(Array(pixels[3...]) == [100, 255, 0])
        for (i, weight) in [0.2126, 0.7152, 0.0722].enumerated() {
            let expected = 255 * (weight <= 0.0031308 ? 12.92 * weight : 1.055 * pow(weight, 1 / 2.4) - 0.055)
            #expect(
                abs(Double(pixels[i]) - expected) <= 2,
                "channel \(i): \(pixels[i]) vs \(expected), interlaced \(interlaced)")
        }
        if colorType == .rgba {
            var transparent = samples
            for p in 0..<6 { transparent[p * 4 + 3] = 0 }
            png.samples = transparent
            pixels = try decode(png)
            #expect(pixels == [UInt8](repeating: 255, count: 6))
        }
    }

    @Test(arguments: [1, 2, 4, 8], [false, true])
    func paletteWithTransparency(bitDepth: Int, interlaced: Bool) throws {
        let entries = min(1 << bitDepth, 4)
        let palette: [(UInt8, UInt8, UInt8)] = [(0, 0, 0), (200, 200, 200), (60, 60, 60), (255, 255, 255)]
        let samples = (0..<35).map { ($0 * 31) % entries }
        var png = TestPNG(width: 7, height: 5, colorType: .palette, bitDepth: bitDepth, samples: samples)
        png.palette = Array(palette.prefix(entries))
        png.paletteAlpha = [255, 0]  // entry 1 is fully transparent: white paper
        png.interlaced = interlaced
        let gray: [UInt8] = [0, 255, 60, 255]
        #expect(try decode(png) == samples.map { gray[$0] })
    }

    @Test func grayTransparencyKey() throws {
        var png = TestPNG(width: 3, height: 1, colorType: .gray, bitDepth: 8, samples: [10, 77, 200])
        png.transparentGray = 77
        #expect(try decode(png) == [10, 255, 200])
    }

    @Test func roundTripThroughOurEncoder() throws {
        let image = GrayImage(width: 5, height: 3, pixels: (0..<15).map { UInt8($0 * 17) })
        #expect(try PNG.decode(PNG.encode(image), path: "x") == image)
        let folder = temporaryFolder()
        try PNG.write(image, to: folder + "/x.png")
        #expect(try PNG.read(contentsOf: folder + "/x.png") == image)
    }

    /// Each kind of bad file gets its own specific reason, naming the file.
    @Test func badFilesAreRefusedWithTheirReason() throws {
        let good = TestPNG.gray(width: 30, height: 30, (0..<900).map { UInt8($0 % 256) })
        func reason(_ bytes: [UInt8]) -> String {
            do {
                _ = try PNG.decode(bytes, path: "bad.png")
                return "decoded"
            } catch {
                return "\(error)"
            }
        }
        #expect(reason([]) == "bad.png: the file is empty")
        #expect(reason(Array("GIF89a, not a png at all".utf8)) == "bad.png: not a PNG file (wrong signature)")
        #expect(reason(Array(good.prefix(5))) == "bad.png: truncated PNG signature")
        #expect(reason(Array(good.prefix(good.count / 2))).hasPrefix("bad.png: truncated PNG"))
        var badCRC = good
        badCRC[29] ^= 0x01  // IHDR's CRC
        #expect(reason(badCRC) == "bad.png: damaged PNG (IHDR: CRC error)")
        var badData = good
        badData[good.count - 20] ^= 0x40  // inside the compressed pixels
        #expect(reason(badData).hasPrefix("bad.png: damaged PNG"), "\(reason(badData))")
        // A well-formed header claiming 50,000 × 50,000 (2.5 gigapixels) over a few bytes of data.
        let bomb = TestPNG.replacingChunk("IHDR", in: good, with: TestPNG.header(width: 50_000, height: 50_000))
        #expect(reason(bomb) == "bad.png: 50000×50000 pixels is larger than the 10000-pixel limit per side")
        let zero = TestPNG.replacingChunk("IHDR", in: good, with: TestPNG.header(width: 0, height: 10))
        #expect(reason(zero).hasPrefix("bad.png: invalid PNG"), "\(reason(zero))")

        let folder = temporaryFolder()
        // A (sparse) 300 MiB file is refused by its size, unread.
        FileManager.default.createFile(atPath: folder + "/huge.png", contents: Data(good))
        let handle = try #require(FileHandle(forWritingAtPath: folder + "/huge.png"))
        try handle.truncate(atOffset: 300 << 20)
        try handle.close()
        #expect(
            throws: DatasetError.badImage(
                path: folder + "/huge.png", reason: "the file is larger than 256 MiB, refused")
        ) {
            try PNG.read(contentsOf: folder + "/huge.png")
        }
        #expect(throws: DatasetError.missingFile(path: folder + "/none.png")) {
            try PNG.read(contentsOf: folder + "/none.png")
        }
        #expect(throws: DatasetError.unreadable(path: folder, reason: "it is a folder")) {
            try PNG.read(contentsOf: folder)
        }
    }
}
