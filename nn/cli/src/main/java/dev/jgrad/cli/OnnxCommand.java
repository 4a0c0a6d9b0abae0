package dev.jgrad.cli;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.onnx.OnnxModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code jgrad onnx}: loads an ONNX model ({@code torch.onnx.export}), runs it forward on the
 * inputs of a safetensors file or on random N(0, 1) ones, and prints the output shapes and their
 * first values.
 */
@Command(name = "onnx", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run an ONNX model (as torch.onnx.export writes it) on given or random inputs and print its outputs.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Cli.EXIT_CODES_0, Cli.EXIT_CODES_1, Cli.EXIT_CODES_2})
final class OnnxCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "the .onnx file (default: none, required)")
    Path model;
    @Option(names = "--input", paramLabel = "FILE", description = "a safetensors file holding the inputs by their graph names (default: random N(0, 1) inputs)")
    Path input;
    @Option(names = "--shape", paramLabel = "NAME=SIZE", description = "the size of a symbolic dimension of the inputs, e.g. --shape batch=8; repeatable (default: 1 for each)")
    Map<String, Integer> shapes = new LinkedHashMap<>();
    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto", description = "auto, cpu, cuda, or a kernel set such as cpu-looped ('jgrad devices' lists them) (default: ${DEFAULT-VALUE})")
    String device;
    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42", description = "seed of the random inputs (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--values", paramLabel = "N", defaultValue = "8", description = "how many values of each output to print (default: ${DEFAULT-VALUE})")
    int values;

    void validate() {
        Checks check = new Checks(spec);
        check.inputFile("MODEL", model);
        check.inputFile("--input", input);
        check.atLeast("--values", values, 0);
        shapes.forEach((k, v) -> check.atLeast("--shape " + k, v, 0));
    }

    @Override
    public Integer call() throws Exception {
        validate();
        Device dev = new Checks(spec).device("--device", device);
        try (OnnxModel m = OnnxModel.load(model, dev)) {
            System.out.println(model + ": opset " + m.opset() + ", " + m.nodeTypes().size() + " nodes, "
                    + m.parameters().size() + " parameter tensors, on " + dev);
            Map<String, Tensor> given = input == null ? Map.of() : SafeTensors.read(input, dev).tensors();
            Map<String, Tensor> inputs = new LinkedHashMap<>();
            Generator gen = new Generator(seed);
            for (OnnxModel.ValueInfo in : m.inputs()) {
                Tensor t = given.get(in.name());
                if (t == null && input != null)
                    throw new IllegalArgumentException(input + " has no tensor '" + in.name() + "' (the model's inputs: " + m.inputs() + ")");
                if (t == null) {
                    int[] dims = in.dims().clone();
                    for (int d = 0; d < dims.length; d++)
                        if (dims[d] < 0) dims[d] = shapes.getOrDefault(in.symbols()[d], 1);
                    t = Tensor.randn(dev, gen, dims);
                    System.out.println("input  " + in.name() + " " + shape(t) + ": random N(0, 1), seed " + seed);
                } else {
                    System.out.println("input  " + in.name() + " " + shape(t) + ": from " + input);
                }
                inputs.put(in.name(), t);
            }
            for (var e : m.run(inputs).entrySet()) {
                Tensor t = e.getValue();
                float[] v = t.toArray();
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < Math.min(values, v.length); i++) b.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.6g", v[i]));
                if (v.length > values) b.append(values > 0 ? ", ..." : "...");
                System.out.println("output " + e.getKey() + " " + shape(t) + ": " + b);
            }
        }
        return 0;
    }

    private static String shape(Tensor t) {
        return Arrays.toString(t.shape()).replace('[', '(').replace(']', ')');
    }
}
