package dev.jgrad.conformance;

import dev.jgrad.engine.Device;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every op spec, every case, on every device this machine has ({@link Device#all()}): one test
 * per (op, case, device), named like {@code matmul[17x33 @ 33x65 transposed] on cpu-vectorized}.
 */
class ConformanceTest {

    static List<OpSpec> specs() {
        List<OpSpec> all = new ArrayList<>();
        all.addAll(ElementwiseSpecs.all());
        all.addAll(ReductionSpecs.all());
        all.addAll(LinalgSpecs.all());
        all.addAll(NnSpecs.all());
        all.addAll(ViewSpecs.all());
        all.addAll(LossSpecs.all());
        all.addAll(NormSpecs.all());
        all.addAll(PoolSpecs.all());
        all.addAll(ActivationSpecs.all());
        all.addAll(IndexSpecs.all());
        all.addAll(ConvSpecs.all());
        all.addAll(RecurrentSpecs.all());
        return all;
    }

    @TestFactory
    Stream<DynamicNode> everyOpOnEveryDevice() {
        List<Device> devices = Conformance.devices();
        Stream<DynamicNode> run = specs().stream().map(spec -> DynamicContainer.dynamicContainer(spec.name(),
                spec.cases().stream().flatMap(c -> devices.stream().map(d -> DynamicTest.dynamicTest(
                        spec.name() + "[" + c.label() + "] on " + d.name(), () -> Checker.check(spec, c, d))))));
        // A device this machine lacks (CUDA without a GPU) shows up as a skipped test with the reason.
        Stream<DynamicNode> skipped = Conformance.unavailable().entrySet().stream().map(e -> DynamicTest.dynamicTest(
                "every op on " + e.getKey(), () -> Assumptions.abort(e.getKey() + " is not available: " + e.getValue())));
        return Stream.concat(run, skipped);
    }
}
