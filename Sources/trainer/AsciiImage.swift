/// Draws a gray image (values in [0, 1]) as text, two characters per pixel so it keeps its shape.
func asciiImage(_ pixels: ArraySlice<Float>, rows: Int, cols: Int) -> [String] {
    let ramp = Array(" .:-=+*#%@")
    let start = pixels.startIndex
    return (0..<rows).map { r in
        String(
            (0..<cols).flatMap { c -> [Character] in
                let v = min(max(pixels[start + r * cols + c], 0), 1)
                let ch = ramp[Int((v * Float(ramp.count - 1)).rounded())]
                return [ch, ch]
            })
    }
}
