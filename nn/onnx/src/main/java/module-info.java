/**
 * jgrad's ONNX import: {@link dev.jgrad.onnx.OnnxModel} loads a model exported by
 * {@code torch.onnx.export} and runs it forward on any jgrad device. The ONNX schema is jgrad's
 * own minimal {@code jgrad_onnx.proto}, compiled by protoc at build time; protobuf-java parses it.
 */
module dev.jgrad.onnx {
    requires transitive dev.jgrad.nn;
    requires com.google.protobuf;

    exports dev.jgrad.onnx;
    // the generated classes of jgrad_onnx.proto: protobuf's reflection (toString, field accessors) reads them
    opens dev.jgrad.onnx.proto to com.google.protobuf;
}
