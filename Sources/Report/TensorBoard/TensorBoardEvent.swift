import Foundation
import Model

/// The `Event` protocol buffers a log is made of (tensorflow/tensorboard's `event.proto`,
/// `summary.proto`, `tensor.proto`), field numbers as there: scalars, histograms, text, and the
/// HParams plugin's summaries.
enum TensorBoardEvent {
    /// The first event of every file: which format the rest is in.
    static func fileVersion(time: Date) -> ProtobufMessage {
        var event = ProtobufMessage()
        event.double(1, time.timeIntervalSince1970)  // wall_time
        event.string(3, "brain.Event:2")  // file_version
        return event
    }

    /// An event holding one summary of `values` (each a built `Summary.Value`) at `step`.
    static func summary(_ values: [ProtobufMessage], step: Int, time: Date) -> ProtobufMessage {
        var event = ProtobufMessage()
        event.double(1, time.timeIntervalSince1970)
        event.integer(2, step)
        event.message(5) { summary in
            for value in values { summary.message(1, value) }
        }
        return event
    }

    /// A scalar, as the scalars dashboard plots it: `simple_value`.
    static func scalar(_ tag: String, _ number: Double, description: String? = nil) -> ProtobufMessage {
        // A description needs metadata, and metadata a plugin, or readers warn.
        var value = summaryValue(tag, plugin: description == nil ? nil : "scalars", description: description)
        value.float(2, Float(number))
        return value
    }

    /// A histogram (`HistogramProto`), for the histograms and distributions dashboards.
    static func histogram(_ tag: String, _ histogram: Histogram) -> ProtobufMessage {
        var value = summaryValue(tag, plugin: nil)
        value.message(5) { h in
            h.double(1, histogram.min)
            h.double(2, histogram.max)
            h.double(3, Double(histogram.count))
            h.double(4, histogram.sum)
            h.double(5, histogram.sumOfSquares)
            h.packedDoubles(6, histogram.bucketLimits)
            h.packedDoubles(7, histogram.bucketCounts)
        }
        return value
    }

    /// Markdown for the text dashboard: a scalar string tensor under the `text` plugin.
    static func text(_ tag: String, _ markdown: String) -> ProtobufMessage {
        var value = summaryValue(tag, plugin: "text")
        value.message(8) { tensor in
            tensor.integer(1, 7)  // dtype DT_STRING
            tensor.message(2) { _ in }  // tensor_shape: a scalar
            tensor.data(8, Array(markdown.utf8))  // string_val
        }
        return value
    }

    /// One of the HParams plugin's summaries: `content` is an `HParamsPluginData` field (2
    /// experiment, 3 session_start_info, 4 session_end_info), held in the plugin data of a value
    /// whose tensor is the plugin's empty float tensor, as tensorboard's own `hparams` summaries write it.
    static func hparams(_ tag: String, field: Int, _ content: ProtobufMessage) -> ProtobufMessage {
        var data = ProtobufMessage()
        data.integer(1, 0)  // version
        data.message(field, content)
        var value = ProtobufMessage()
        value.string(1, tag)
        value.message(9) { metadata in
            metadata.message(1) { plugin in
                plugin.string(1, "hparams")
                plugin.data(2, data.bytes)
            }
        }
        value.message(8) { tensor in
            tensor.integer(1, 1)  // DT_FLOAT
            tensor.message(2) { shape in shape.message(2) { dim in dim.integer(1, 0) } }  // shape [0]
        }
        return value
    }

    /// A `Summary.Value` with its tag and, for a plugin's data, its `SummaryMetadata`.
    private static func summaryValue(_ tag: String, plugin: String?, description: String? = nil) -> ProtobufMessage {
        var value = ProtobufMessage()
        value.string(1, tag)
        if plugin != nil || description != nil {
            value.message(9) { metadata in
                if let plugin { metadata.message(1) { $0.string(1, plugin) } }
                if let description { metadata.string(3, description) }
            }
        }
        return value
    }
}
