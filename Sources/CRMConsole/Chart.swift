import Foundation

/// Small horizontal bar charts as inline SVG, made on the server (no script). Every label is escaped here,
/// since the chart is inserted into the page unescaped.
enum Chart {
    struct Bar {
        var label: String
        var value: Double
        var display: String
    }

    /// One bar per item, longest = full width; `title` is the chart's accessible name.
    static func bars(_ bars: [Bar], title: String, color: String = "#1f6feb") -> String {
        guard !bars.isEmpty else { return "" }
        let rowHeight = 26
        let labelWidth = 130
        let width = 420
        let barSpace = width - labelWidth - 60
        let height = bars.count * rowHeight + 8
        // Only finite values count (a NaN or an infinity would make a bar's length no number at all).
        let largest = max(bars.map(\.value).filter(\.isFinite).max() ?? 0, 0.000_001)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\">"
        svg += "<title>\(escape(title))</title>"
        for (i, bar) in bars.enumerated() {
            let y = 4 + i * rowHeight
            let share = bar.value.isFinite ? min(max(bar.value / largest, 0), 1) : 0
            let length = max(2, Int((share * Double(barSpace)).rounded(.down)))
            svg += "<text x=\"0\" y=\"\(y + 17)\" font-size=\"13\" fill=\"#1d2329\">\(escape(String(bar.label.prefix(18))))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(length)\" height=\"\(rowHeight - 8)\" rx=\"3\" fill=\"\(color)\"></rect>"
            svg += "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 17)\" font-size=\"12\" fill=\"#65717d\">\(escape(bar.display))</text>"
        }
        return svg + "</svg>"
    }

    /// `text` safe inside SVG/HTML text and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
