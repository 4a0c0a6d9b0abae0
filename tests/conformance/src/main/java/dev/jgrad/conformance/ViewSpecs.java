package dev.jgrad.conformance;

import dev.jgrad.conformance.OpSpec.Arg;

import java.util.List;

import static dev.jgrad.conformance.Layout.*;
import static dev.jgrad.conformance.OpSpec.TOL;
import static dev.jgrad.conformance.Sampler.normal;

/**
 * The views: values must be exact (a view moves no arithmetic), and gradients must land on the
 * right elements of the base, including zeros for elements a slice skipped.
 */
final class ViewSpecs {
    private ViewSpecs() {}

    private static Arg x(int... shape) {
        return Arg.of(normal(), shape);
    }

    static List<OpSpec> all() {
        OpSpec.Builder reshape = OpSpec.named("reshape");
        reshape.auto("", "to 5x12", 0, in -> in[0].reshape(5, 12), in -> in[0].reshape(5, 12), x(3, 4, 5));
        reshape.auto("", "to 4x-1", 0, in -> in[0].reshape(4, -1), in -> in[0].reshape(4, 6), x(2, 3, 4).as(PERMUTED));
        reshape.auto("", "to 4x-1", 0, in -> in[0].reshape(4, -1), in -> in[0].reshape(4, 10), x(5, 8).as(TRANSPOSED));
        reshape.auto("", "to 2x1x3", 0, in -> in[0].reshape(2, 1, 3), in -> in[0].reshape(2, 1, 3), x(6));
        reshape.auto("", "to 1", 0, in -> in[0].reshape(1), in -> in[0].reshape(1), x());
        reshape.auto("", "to scalar", 0, in -> in[0].reshape(), in -> in[0].reshape(), x(1, 1));
        reshape.auto("", "view 3x10", 0, in -> in[0].view(3, 10), in -> in[0].reshape(3, 10), x(6, 5).as(OFFSET));

        OpSpec.Builder permute = OpSpec.named("permute");
        permute.auto("", "(2, 0, 1)", 0, in -> in[0].permute(2, 0, 1), in -> in[0].permute(2, 0, 1), x(2, 3, 4));
        permute.auto("", "(1, 0)", 0, in -> in[0].permute(1, 0), in -> in[0].permute(1, 0), x(3, 5).as(TRANSPOSED));
        permute.auto("", "(0, 2, 1)", 0, in -> in[0].permute(0, 2, 1), in -> in[0].permute(0, 2, 1), x(3, 4, 5).as(STEPPED));

        OpSpec.Builder transpose = OpSpec.named("transpose");
        transpose.auto("", "(0, 2)", 0, in -> in[0].transpose(0, 2), in -> in[0].permute(2, 1, 0), x(3, 4, 5));
        transpose.auto("", "t()", 0, in -> in[0].t(), in -> in[0].permute(1, 0), x(4, 7));
        transpose.auto("", "(-1, -2)", 0, in -> in[0].transpose(-1, -2), in -> in[0].permute(0, 2, 1), x(2, 3, 4).as(PERMUTED));

        OpSpec.Builder slice = OpSpec.named("slice");
        slice.auto("", "dim 0 [1:9:3]", 0, in -> in[0].slice(0, 1, 9, 3), in -> in[0].slice(0, 1, 9, 3), x(10, 7));
        slice.auto("", "dim 1 [-7:-1:2]", 0, in -> in[0].slice(1, -7, -1, 2), in -> in[0].slice(1, 5, 11, 2), x(5, 12));
        slice.auto("", "dim 0 [2:6:2]", 0, in -> in[0].slice(0, 2, 6, 2), in -> in[0].slice(0, 2, 6, 2), x(6, 5).as(STEPPED));
        slice.auto("", "dim -1 [0:100:4]", 0, in -> in[0].slice(-1, 0, 100, 4), in -> in[0].slice(1, 0, 9, 4), x(3, 9));
        slice.auto("", "dim 1 [3:4]", 0, in -> in[0].slice(1, 3, 4), in -> in[0].slice(1, 3, 4, 1), x(4, 5, 2).as(PERMUTED));

        OpSpec.Builder select = OpSpec.named("select");
        select.auto("", "dim 1 index 2", 0, in -> in[0].select(1, 2), in -> in[0].slice(1, 2, 3, 1).reshape(4, 6), x(4, 5, 6));
        select.auto("", "dim 0 index -1", 0, in -> in[0].select(0, -1), in -> in[0].slice(0, 3, 4, 1).reshape(5), x(4, 5).as(TRANSPOSED));
        select.auto("", "dim -1 index 0", 0, in -> in[0].select(-1, 0), in -> in[0].slice(2, 0, 1, 1).reshape(3, 4), x(3, 4, 5).as(STEPPED));

        OpSpec.Builder expand = OpSpec.named("expand");
        expand.auto("", "to 2x3x4", 0, in -> in[0].expand(2, 3, 4), in -> in[0].expand(2, 3, 4), x(3, 1));
        expand.auto("", "to 5", 0, in -> in[0].expand(5), in -> in[0].expand(5), x(1));
        expand.auto("", "to 4x3x-1", 0, in -> in[0].expand(4, 3, -1), in -> in[0].expand(4, 3, 5), x(4, 1, 5));
        expand.auto("", "to 3x2x5", 0, in -> in[0].expand(3, 2, 5), in -> in[0].expand(3, 2, 5), x(2, 5).as(TRANSPOSED));
        expand.auto("", "to 2x3", 0, in -> in[0].expand(2, 3), in -> in[0].expand(2, 3), x());

        OpSpec.Builder squeeze = OpSpec.named("unsqueeze/squeeze");
        squeeze.auto("", "unsqueeze 0", 0, in -> in[0].unsqueeze(0), in -> in[0].reshape(1, 3, 4), x(3, 4));
        squeeze.auto("", "unsqueeze -1", 0, in -> in[0].unsqueeze(-1), in -> in[0].reshape(4, 3, 1), x(4, 3).as(TRANSPOSED));
        squeeze.auto("", "unsqueeze 1", 0, in -> in[0].unsqueeze(1), in -> in[0].reshape(5, 1), x(5));
        squeeze.auto("", "squeeze 1", 0, in -> in[0].squeeze(1), in -> in[0].reshape(3, 4), x(3, 1, 4));
        squeeze.auto("", "squeeze 0", 0, in -> in[0].squeeze(0), in -> in[0].reshape(), x(1));

        OpSpec.Builder contiguous = OpSpec.named("contiguous");
        for (Arg a : new Arg[] {x(5, 7).as(TRANSPOSED), x(3, 4, 5).as(STEPPED), x(2, 3, 4).as(PERMUTED),
                x(4, 6).as(OFFSET), x(3, 5).as(EXPANDED), x(3, 4)})
            contiguous.auto("", "", 0, in -> in[0].contiguous(), in -> in[0], a);

        OpSpec.Builder flatten = OpSpec.named("flatten");
        flatten.auto("", "all", 0, in -> in[0].flatten(), in -> in[0].reshape(24), x(2, 3, 4).as(PERMUTED));
        flatten.auto("", "from 1", 0, in -> in[0].flatten(1), in -> in[0].reshape(2, 60), x(2, 3, 4, 5));
        flatten.auto("", "all", 0, in -> in[0].flatten(), in -> in[0].reshape(1), x());

        return List.of(reshape.build(), permute.build(), transpose.build(), slice.build(), select.build(),
                expand.build(), squeeze.build(), contiguous.build(), flatten.build());
    }
}
